// The engine without a transport: lifecycle, dispatch, revision rules and multi round-trips.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
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

namespace {

// A result cache in a map, counting what the engine asks of it.
class MapCache final : public ResultCache {
 public:
  std::string key(std::string_view tool, json::object const& arguments) const override {
    return std::string(tool) + json::serialize(arguments);
  }
  asio::awaitable<std::optional<std::string>> get(std::string key) override {
    ++gets;
    auto it = entries.find(key);
    if (it == entries.end()) co_return std::nullopt;
    co_return it->second;
  }
  void put(std::string key, std::string result, std::chrono::seconds ttl) override {
    last_ttl = ttl;
    entries[std::move(key)] = std::move(result);
  }
  std::map<std::string, std::string> entries;
  int gets = 0;
  std::chrono::seconds last_ttl{0};
};

}  // namespace

TEST_F(EngineTest, CachesResultsOfCacheableToolsOnly) {
  int runs = 0;
  Tool counted;
  counted.descriptor = json::object{{"name", "counted"}, {"inputSchema", json::object{{"type", "object"}}}};
  counted.cacheable = true;
  counted.handler = [&runs](RequestContext&, json::object const& arguments) -> asio::awaitable<json::object> {
    ++runs;
    bool const fail = arguments.contains("fail");
    json::object result{{"content", json::array{json::object{{"type", "text"}, {"text", std::to_string(runs)}}}}};
    if (fail) result["isError"] = true;
    co_return result;
  };
  catalog_.add_tool(counted);
  MapCache cache;
  engine_.set_result_cache(cache);
  CachePolicy policy;
  policy.default_ttl = std::chrono::seconds(42);
  engine_.set_cache_policy(policy);
  auto session = initialize();
  auto call_counted = [&](json::object arguments) {
    return call(session, "tools/call", json::object{{"name", "counted"}, {"arguments", std::move(arguments)}});
  };

  auto first = call_counted(json::object{{"n", 1}});
  auto second = call_counted(json::object{{"n", 1}});
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(first.at("result"), second.at("result"));
  EXPECT_EQ(cache.last_ttl, std::chrono::seconds(42));
  call_counted(json::object{{"n", 2}});
  EXPECT_EQ(runs, 2);

  // Failures are not remembered.
  call_counted(json::object{{"fail", true}});
  call_counted(json::object{{"fail", true}});
  EXPECT_EQ(runs, 4);

  // A per-tool TTL of 0 turns caching off; echo (not cacheable) is cached only when configured.
  policy.per_tool = {{"counted", std::chrono::seconds(0)}, {"echo", std::chrono::seconds(5)}};
  engine_.set_cache_policy(policy);
  call_counted(json::object{{"n", 1}});
  EXPECT_EQ(runs, 5);
  auto const gets_before = cache.gets;
  call(session, "tools/call", json::object{{"name", "echo"}, {"arguments", json::object{{"message", "m"}}}});
  EXPECT_EQ(cache.gets, gets_before + 1);
  EXPECT_EQ(cache.last_ttl, std::chrono::seconds(5));
}
