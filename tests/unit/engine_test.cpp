// The engine without a transport: lifecycle, dispatch, revision rules and multi round-trips.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "protocol/engine.hpp"
#include "tools/builtin_tools.hpp"
#include "tools/conformance_fixtures.hpp"

namespace asio = boost::asio;
namespace json = boost::json;
using namespace prodmcp::protocol;

namespace {

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() : engine_(EngineOptions{}, catalog_, sessions_) {
    prodmcp::tools::add_builtin_tools(catalog_, [] { return json::object{{"ok", true}}; });
    prodmcp::tools::add_conformance_fixtures(catalog_, engine_.request_state());
  }

  std::shared_ptr<Session> initialize(std::string_view version = "2025-11-25") {
    auto request = json::parse(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":")" +
                               std::string(version) +
                               R"(","capabilities":{"sampling":{}},"clientInfo":{"name":"t","version":"1"}}})")
                       .as_object();
    auto initialized = engine_.initialize(request);
    last_ = initialized.response;
    return initialized.session;
  }

  json::object call(std::shared_ptr<Session> session, std::string method, json::object params = {}) {
    RequestContext context;
    context.executor = io_.get_executor();
    context.id = 9;
    context.method = std::move(method);
    context.params = std::move(params);
    if (session) {
      engine_.bind_session(context, session);
    } else if (auto error = engine_.bind_stateless(context)) {
      return make_error(9, *error);
    }
    auto future = asio::co_spawn(io_, engine_.handle(context), asio::use_future);
    io_.restart();
    io_.run();
    return *future.get();
  }

  static json::object stateless_params(json::object params = {}) {
    params["_meta"] = json::object{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                                   {"io.modelcontextprotocol/clientCapabilities", json::object{}}};
    return params;
  }

  asio::io_context io_;
  Catalog catalog_;
  SessionRegistry sessions_;
  Engine engine_;
  json::object last_;
};

std::int64_t error_code_of(json::object const& response) {
  return response.at("error").at("code").as_int64();
}

}  // namespace

TEST_F(EngineTest, NegotiatesVersions) {
  ASSERT_TRUE(initialize("2025-06-18"));
  EXPECT_EQ(last_.at("result").at("protocolVersion").as_string(), "2025-06-18");
  ASSERT_TRUE(initialize("1999-01-01"));
  EXPECT_EQ(last_.at("result").at("protocolVersion").as_string(), "2025-11-25");
  ASSERT_TRUE(initialize("2025-03-26"));
  EXPECT_FALSE(last_.at("result").at("serverInfo").as_object().contains("title"));
}

TEST_F(EngineTest, ServesToolsAndReportsErrors) {
  auto session = initialize();
  auto listed = call(session, "tools/list");
  EXPECT_GT(listed.at("result").at("tools").as_array().size(), 5u);
  auto echoed = call(session, "tools/call", json::object{{"name", "echo"}, {"arguments", {{"message", "hi"}}}});
  EXPECT_EQ(echoed.at("result").at("structuredContent").at("message").as_string(), "hi");
  auto invalid = call(session, "tools/call", json::object{{"name", "echo"}, {"arguments", {{"message", 5}}}});
  EXPECT_TRUE(invalid.at("result").at("isError").as_bool());
  EXPECT_EQ(error_code_of(call(session, "tools/call", json::object{{"name", "nope"}})), -32602);
  EXPECT_EQ(error_code_of(call(session, "no/such/method")), -32601);
  EXPECT_EQ(error_code_of(call(session, "server/discover")), -32601);
}

TEST_F(EngineTest, ResourcesTemplatesAndNotFound) {
  auto session = initialize();
  auto text = call(session, "resources/read", json::object{{"uri", "test://static-text"}});
  EXPECT_EQ(text.at("result").at("contents").at(0).at("text").as_string(),
            "This is the content of the static text resource.");
  auto templated = call(session, "resources/read", json::object{{"uri", "test://template/123/data"}});
  EXPECT_EQ(json::parse(templated.at("result").at("contents").at(0).at("text").as_string()).at("id").as_string(),
            "123");
  EXPECT_EQ(error_code_of(call(session, "resources/read", json::object{{"uri", "test://missing"}})), -32002);
}

TEST_F(EngineTest, StatelessRequestsNeedMetaAndGetDecoratedResults) {
  auto missing = call(nullptr, "tools/list", json::object{});
  EXPECT_EQ(error_code_of(missing), -32602);
  json::object old_version = stateless_params();
  old_version["_meta"].as_object()["io.modelcontextprotocol/protocolVersion"] = "2025-11-25";
  auto unsupported = call(nullptr, "tools/list", old_version);
  EXPECT_EQ(error_code_of(unsupported), -32022);
  EXPECT_TRUE(unsupported.at("error").at("data").as_object().contains("supported"));

  auto listed = call(nullptr, "tools/list", stateless_params());
  auto const& result = listed.at("result").as_object();
  EXPECT_EQ(result.at("resultType").as_string(), "complete");
  EXPECT_TRUE(result.at("ttlMs").is_int64());
  EXPECT_EQ(result.at("cacheScope").as_string(), "public");
  EXPECT_TRUE(result.at("_meta").as_object().contains("io.modelcontextprotocol/serverInfo"));

  auto discovered = call(nullptr, "server/discover", stateless_params());
  EXPECT_EQ(discovered.at("result").at("supportedVersions").at(0).as_string(), "2026-07-28");
  for (auto method : {"initialize", "ping", "logging/setLevel"})
    EXPECT_EQ(error_code_of(call(nullptr, method, stateless_params())), -32601) << method;
  EXPECT_EQ(error_code_of(call(nullptr, "resources/read",
                               stateless_params(json::object{{"uri", "test://nonexistent"}}))),
            -32602);
}
