// 2026-07-28 mirrored headers: Mcp-Name and Mcp-Param-* values that are not visible ASCII arrive
// as =?base64?...?= and are compared decoded; anything else that disagrees is -32020.
#include <gtest/gtest.h>

#include <map>

#include "http/mirrored_headers.hpp"
#include "protocol/catalog.hpp"

namespace json = boost::json;
using namespace prodmcp;

namespace {

class MirroredHeadersTest : public ::testing::Test {
 protected:
  MirroredHeadersTest() {
    protocol::Tool hello;
    hello.descriptor = json::object{
        {"name", "h\xc3\xa9llo"},
        {"inputSchema", json::object{{"type", "object"},
                                     {"properties", json::object{{"city", json::object{{"type", "string"},
                                                                                      {"x-mcp-header", "City"}}}}}}}};
    hello.handler = [](protocol::RequestContext&, json::object const&) -> boost::asio::awaitable<json::object> {
      co_return json::object{};
    };
    catalog_.add_tool(hello);
  }

  std::optional<protocol::RpcError> check(json::object const& message) {
    http::HeaderLookup const lookup = [this](std::string_view name) -> std::optional<std::string_view> {
      auto const found = headers_.find(std::string(name));
      if (found == headers_.end()) return std::nullopt;
      return found->second;
    };
    return http::check_mirrored_headers(lookup, message, catalog_);
  }

  static json::object call(std::string const& name, json::object arguments = {}) {
    return json::object{
        {"jsonrpc", "2.0"},
        {"id", 1},
        {"method", "tools/call"},
        {"params", json::object{{"name", name},
                                {"arguments", std::move(arguments)},
                                {"_meta", json::object{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"}}}}}};
  }

  protocol::Catalog catalog_;
  std::map<std::string, std::string> headers_{{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "tools/call"}};
};

}  // namespace

TEST(MirroredHeaderValue, DecodesBase64AndRefusesRawNonAscii) {
  EXPECT_EQ(http::decode_mirrored_header("echo"), "echo");
  EXPECT_EQ(http::decode_mirrored_header(" =?base64?aMOpbGxv?= "), "h\xc3\xa9llo");
  EXPECT_EQ(http::decode_mirrored_header("h\xc3\xa9llo"), std::nullopt);
  EXPECT_EQ(http::decode_mirrored_header("=?base64?aMOpbGx?="), std::nullopt);  // not padded
  EXPECT_EQ(http::decode_mirrored_header("=?base64?!!!!?="), std::nullopt);
}

TEST_F(MirroredHeadersTest, AToolNamedWithNonAsciiIsCallableWithAnEncodedMcpName) {
  headers_["Mcp-Name"] = "=?base64?aMOpbGxv?=";
  EXPECT_EQ(check(call("h\xc3\xa9llo")), std::nullopt);
}

TEST_F(MirroredHeadersTest, AnEncodedMcpNameOfAnotherToolIsAMismatch) {
  headers_["Mcp-Name"] = "=?base64?ZWNobw==?=";  // "echo"
  auto const error = check(call("h\xc3\xa9llo"));
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, -32020);
  EXPECT_NE(error->message.find("=?base64?"), std::string::npos) << error->message;
}

TEST_F(MirroredHeadersTest, ARawNonAsciiMcpNameIsAMismatch) {
  headers_["Mcp-Name"] = "h\xc3\xa9llo";
  auto const error = check(call("h\xc3\xa9llo"));
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, -32020);
}

TEST_F(MirroredHeadersTest, ParameterHeadersAreComparedDecoded) {
  headers_["Mcp-Name"] = "=?base64?aMOpbGxv?=";
  headers_["Mcp-Param-City"] = "=?base64?WsO8cmljaA==?=";  // "Zürich"
  EXPECT_EQ(check(call("h\xc3\xa9llo", json::object{{"city", "Z\xc3\xbcrich"}})), std::nullopt);
  headers_["Mcp-Param-City"] = "Zurich";
  auto const error = check(call("h\xc3\xa9llo", json::object{{"city", "Z\xc3\xbcrich"}}));
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, -32020);
}

TEST_F(MirroredHeadersTest, AHugeHeaderIsQuotedCutInTheError) {
  headers_["Mcp-Method"] = std::string(100000, 'x');
  auto const error = check(call("h\xc3\xa9llo"));
  ASSERT_TRUE(error);
  EXPECT_LT(error->message.size(), 1000u);
  EXPECT_NE(error->message.find("100000 bytes"), std::string::npos) << error->message;
}
