#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "protocol/jsonrpc.hpp"
#include "protocol/revision.hpp"

namespace json = boost::json;
using namespace prodmcp::protocol;

TEST(JsonRpc, ClassifiesWellFormedMessages) {
  EXPECT_EQ(classify(json::parse(R"({"jsonrpc":"2.0","id":1,"method":"ping"})")).kind, MessageKind::kRequest);
  EXPECT_EQ(classify(json::parse(R"({"jsonrpc":"2.0","id":"a","method":"x","params":{}})")).kind,
            MessageKind::kRequest);
  EXPECT_EQ(classify(json::parse(R"({"jsonrpc":"2.0","method":"notifications/initialized"})")).kind,
            MessageKind::kNotification);
  EXPECT_EQ(classify(json::parse(R"({"jsonrpc":"2.0","id":7,"result":{}})")).kind, MessageKind::kResponse);
  EXPECT_EQ(classify(json::parse(R"({"jsonrpc":"2.0","id":7,"error":{"code":-1,"message":"m"}})")).kind,
            MessageKind::kResponse);
}

TEST(JsonRpc, RejectsMalformedEnvelopesWithAReason) {
  for (auto const* text : {R"([])", R"(42)", R"({"id":1,"method":"ping"})", R"({"jsonrpc":"1.0","id":1,"method":"p"})",
                           R"({"jsonrpc":"2.0","id":1,"method":5})", R"({"jsonrpc":"2.0","id":{},"method":"p"})",
                           R"({"jsonrpc":"2.0","id":1,"method":"p","params":3})",
                           R"({"jsonrpc":"2.0","id":1.5,"method":"p"})"}) {
    auto const c = classify(json::parse(text));
    EXPECT_EQ(c.kind, MessageKind::kInvalid) << text;
    EXPECT_FALSE(c.problem.empty()) << text;
  }
}

TEST(JsonRpc, BuildsErrorsWithData) {
  auto const error = make_error(3, error_code::kInvalidParams, "bad", json::object{{"uri", "x"}});
  EXPECT_EQ(error.at("id").as_int64(), 3);
  EXPECT_EQ(error.at("error").at("code").as_int64(), -32602);
  EXPECT_EQ(error.at("error").at("data").at("uri").as_string(), "x");
}

TEST(Revision, ParsesEveryRevisionAndKnowsTheirRules) {
  for (auto r : kSupportedRevisions) EXPECT_EQ(parse_revision(to_string(r)), r);
  EXPECT_FALSE(parse_revision("2024-11-05"));
  EXPECT_FALSE(parse_revision(""));
  EXPECT_TRUE(allows_batches(Revision::k2025_03_26));
  EXPECT_FALSE(allows_batches(Revision::k2025_06_18));
  EXPECT_TRUE(is_stateless(Revision::k2026_07_28));
  EXPECT_FALSE(is_stateless(Revision::k2025_11_25));
}

// An error message quoting a client's header bytes must still be a JSON document strict parsers
// take (found by fuzzing the endpoint: an Mcp-Name of invalid UTF-8 came back verbatim).
TEST(JsonRpc, ErrorMessagesAreValidUtf8WhateverTheyQuote) {
  auto const error = make_error(1, -32020, "the Mcp-Name header (\"echo\x80\xc2\") does not match");
  auto const text = json::serialize(error);
  boost::system::error_code ec;
  (void)json::parse(text, ec);
  EXPECT_FALSE(ec) << text;
  EXPECT_EQ(error.at("error").at("message").as_string(), "the Mcp-Name header (\"echo\xef\xbf\xbd\xef\xbf\xbd\") does not match");
}
