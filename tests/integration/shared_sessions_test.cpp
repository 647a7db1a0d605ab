// Two prodmcp-server processes sharing one redis-server hold one set of sessions: created on one,
// served by the other, owned by the client that made it, ended everywhere by one DELETE, and put
// back from a replica's copy when Redis loses its data.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "redis_under_test.hpp"
#include "server_under_test.hpp"
#include "util/token_hash.hpp"

using namespace prodmcp::testing;
using namespace std::chrono_literals;

namespace {

std::string const kAliceToken = "alice-token-0123456789";
std::string const kBobToken = "bob-token-0123456789";

ServerLaunch replica(RedisUnderTest const& redis, std::vector<std::string> extra = {}) {
  // Every request asks Redis (the default lets a copy checked in the last second serve alone).
  std::vector<std::string> arguments{"--set", "cache.redis_url=" + redis.url(), "--set",
                                     "server.session_idle_timeout_s=600", "--set", "cache.session_recheck_ms=0"};
  arguments.insert(arguments.end(), extra.begin(), extra.end());
  return ServerLaunch{arguments, {}};
}

HeaderList as(std::string const& token, std::string const& session = {}) {
  auto headers = mcp_headers(session);
  headers.emplace_back("Authorization", "Bearer " + token);
  return headers;
}

std::string const kPing = R"({"jsonrpc":"2.0","id":7,"method":"ping"})";

std::string initialize_as(std::uint16_t port, std::string const& token) {
  auto const reply = http_request(port, "POST", "/mcp", as(token),
                                  R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":)"
                                  R"("2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})");
  if (reply.status != 200) throw std::runtime_error("initialize failed: " + reply.body);
  return reply.header("Mcp-Session-Id");
}

}  // namespace

TEST(ReplicasSharingRedis, OneReplicaServesWhatAnotherCreatedAndOneDeleteEndsItOnBoth) {
  RedisUnderTest redis;
  ServerUnderTest a(replica(redis));
  ServerUnderTest b(replica(redis));
  auto const session = initialize_session(a.port());  // its notifications/initialized went to a
  auto const stored = redis.cli("HGETALL prodmcp:session:" + session);
  EXPECT_NE(stored.find("initialized"), std::string::npos) << stored;
  auto const ttl_ms = std::stoll(redis.cli("PTTL prodmcp:session:" + session));
  EXPECT_GT(ttl_ms, 590'000);  // the idle timeout, renewed by use
  EXPECT_LE(ttl_ms, 600'000);

  auto const on_b = http_request(b.port(), "POST", "/mcp", mcp_headers(session),
                                 R"({"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":"error"}})");
  EXPECT_EQ(on_b.status, 200) << on_b.body;
  EXPECT_NE(redis.cli("HGET prodmcp:session:" + session + " log_level").find('4'), std::string::npos);

  EXPECT_EQ(http_request(b.port(), "DELETE", "/mcp", mcp_headers(session), "").status, 204);
  auto const after = http_request(a.port(), "POST", "/mcp", mcp_headers(session), kPing);
  EXPECT_EQ(after.status, 404) << after.body;
  EXPECT_NE(after.body.find("-32001"), std::string::npos);
}

TEST(ReplicasSharingRedis, ASessionIsItsClientsAlone) {
  RedisUnderTest redis;
  std::vector<std::string> const auth{
      "--set", "auth.enabled=true", "--set",
      "auth.clients=alice=" + prodmcp::util::hash_token(kAliceToken) + ",bob=" + prodmcp::util::hash_token(kBobToken)};
  ServerUnderTest a(replica(redis, auth));
  ServerUnderTest b(replica(redis, auth));
  auto const session = initialize_as(a.port(), kAliceToken);
  for (auto port : {a.port(), b.port()}) {
    auto const stolen = http_request(port, "POST", "/mcp", as(kBobToken, session), kPing);
    EXPECT_EQ(stolen.status, 404) << "another client's session must not exist for bob: " << stolen.body;
    EXPECT_EQ(http_request(port, "POST", "/mcp", as(kAliceToken, session), kPing).status, 200);
  }
  EXPECT_EQ(http_request(b.port(), "DELETE", "/mcp", as(kBobToken, session), "").status, 404);
  EXPECT_EQ(http_request(b.port(), "POST", "/mcp", as(kAliceToken, session), kPing).status, 200);
}

TEST(ReplicasSharingRedis, SessionsSurviveARedisThatLostItsData) {
  RedisUnderTest redis;
  ServerUnderTest a(replica(redis, {"--set", "resilience.breaker_open_s=1"}));
  ServerUnderTest b(replica(redis, {"--set", "resilience.breaker_open_s=1"}));
  auto const session = initialize_session(a.port());
  ASSERT_EQ(http_request(b.port(), "POST", "/mcp", mcp_headers(session), kPing).status, 200);

  redis.kill();  // no persistence: it comes back empty
  // While Redis is down each replica serves its own copy.
  EXPECT_EQ(http_request(a.port(), "POST", "/mcp", mcp_headers(session), kPing).status, 200);
  EXPECT_EQ(http_request(b.port(), "POST", "/mcp", mcp_headers(session), kPing).status, 200);
  redis.start();
  ASSERT_EQ(redis.cli("EXISTS prodmcp:session:" + session).find('0'), 0u);

  // Back: the first replica to serve the session writes it back from its copy.
  EXPECT_TRUE(wait_until(
      [&] {
        EXPECT_EQ(http_request(a.port(), "POST", "/mcp", mcp_headers(session), kPing).status, 200);
        return redis.cli("EXISTS prodmcp:session:" + session).find('1') == 0;
      },
      10s, 50ms))
      << "the session did not get back into Redis";
  EXPECT_NE(redis.cli("HGET prodmcp:session:" + session + " initialized").find('1'), std::string::npos);
  EXPECT_EQ(http_request(b.port(), "POST", "/mcp", mcp_headers(session), kPing).status, 200);
}
