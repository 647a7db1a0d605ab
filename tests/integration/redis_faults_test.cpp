// prodmcp-server with a real redis-server that dies, sleeps and comes back, and two instances that
// share one Redis: clients must never see the outage, and the server must use Redis again.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <atomic>
#include <mutex>
#include <sstream>
#include <thread>

#include "redis_under_test.hpp"
#include "server_under_test.hpp"

namespace json = boost::json;
using namespace prodmcp::testing;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> with_redis(RedisUnderTest const& redis, std::vector<std::string> extra = {}) {
  std::vector<std::string> arguments{"--set", "cache.redis_url=" + redis.url(), "--set",
                                     "server.admin_listen=127.0.0.1:0", "--set", "resilience.breaker_open_s=1"};
  arguments.insert(arguments.end(), extra.begin(), extra.end());
  return arguments;
}

std::string lookup(int code) {
  return R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"http_status_lookup","arguments":{"code":)" +
         std::to_string(code) + "}}}";
}

json::object ready(ServerUnderTest const& server) {
  auto const reply = http_request(server.admin_port(), "GET", "/ready", {}, "");
  auto body = json::parse(reply.body).as_object();
  body["http_status"] = reply.status;
  return body;
}

// What /ready says of Redis: "healthy", "degraded" or "unhealthy".
std::string redis_status(ServerUnderTest const& server) {
  return std::string(ready(server).at("checks").at("redis").at("status").as_string());
}

std::string metrics(ServerUnderTest const& server) {
  return http_request(server.admin_port(), "GET", "/metrics", {}, "").body;
}

}  // namespace

TEST(RedisFaults, CacheResultsGoToRedisAndAreServedFromIt) {
  RedisUnderTest redis;
  ServerUnderTest server(ServerLaunch{with_redis(redis), {}});
  ASSERT_TRUE(wait_until([&] { return redis_status(server) == "healthy"; }, 5s));
  auto const session = initialize_session(server.port());
  auto const first = http_request(server.port(), "POST", "/mcp", mcp_headers(session), lookup(503));
  // The result is written to Redis behind the response: the second call is served from there once
  // it has landed.
  ASSERT_TRUE(wait_until([&] { return redis.cli("KEYS prodmcp:tool:http_status_lookup:*").find("prodmcp:tool") !=
                                      std::string::npos; },
                         2s));
  auto const second = http_request(server.port(), "POST", "/mcp", mcp_headers(session), lookup(503));
  EXPECT_EQ(json::parse(first.body).at("result"), json::parse(second.body).at("result"));
  auto const ttl = std::stoi(redis.cli("TTL " + redis.cli("KEYS prodmcp:tool:http_status_lookup:*")));
  EXPECT_GT(ttl, 250);
  EXPECT_LE(ttl, 300) << "CACHE_TTL defaults to 300 s";
  EXPECT_NE(metrics(server).find(R"(mcp_cache_hits_total{type="redis"} 1)"), std::string::npos);
}

TEST(RedisFaults, KillingRedisUnderLoadFailsNoRequestAndTheServerUsesRedisAgainWhenItReturns) {
  RedisUnderTest redis;
  ServerUnderTest server(ServerLaunch{with_redis(redis), {}});
  ASSERT_TRUE(wait_until([&] { return redis_status(server) == "healthy"; }, 5s));
  auto const session = initialize_session(server.port());

  // Each call has its own correlation id, so a failed one can be found in the server's log.
  struct Failure {
    std::string correlation_id;
    double at_s;
    HttpReply reply;
  };
  auto const began = std::chrono::steady_clock::now();
  std::atomic<bool> stop{false};
  std::atomic<int> served{0};
  std::mutex failures_mutex;
  std::vector<Failure> failures;
  std::vector<std::thread> clients;
  for (int t = 0; t < 3; ++t)
    clients.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        static constexpr int kCodes[] = {400, 401, 403, 404, 405, 408, 409, 410, 429, 500, 502, 503, 504};
        auto const code = kCodes[static_cast<std::size_t>(i + t) % std::size(kCodes)];
        auto headers = mcp_headers(session);
        auto const correlation_id = "load-" + std::to_string(t) + "-" + std::to_string(i);
        headers.emplace_back("X-Correlation-ID", correlation_id);
        auto reply = attempt_request(server.port(), "POST", "/mcp", headers, lookup(code));
        bool const ok = reply.status == 200 && reply.body.find(R"("result")") != std::string::npos &&
                        reply.body.find(R"("isError":true)") == std::string::npos;
        if (ok) {
          ++served;
          continue;
        }
        auto const at = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
        std::lock_guard lock(failures_mutex);
        failures.push_back({correlation_id, at, std::move(reply)});
      }
    });
  auto const load_for = [&](int calls) {
    int const target = served + calls;
    return wait_until([&] { return served >= target; }, 30s);
  };
  EXPECT_TRUE(load_for(50)) << "the load did not get going";
  auto const killed_at = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  redis.kill();
  // Down: readiness says so (degraded: Redis is optional here), requests go on from memory.
  EXPECT_TRUE(wait_until([&] { return redis_status(server) == "degraded"; }, 10s));
  auto const down = ready(server);
  EXPECT_EQ(down.at("http_status"), 200) << json::serialize(down);
  EXPECT_TRUE(load_for(50)) << "no calls were served while Redis was down";
  // Long enough for the breaker (open for 1 s here) to open, turn half-open and probe a dead Redis.
  std::this_thread::sleep_for(1500ms);
  auto const restarted_at = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  redis.start();
  // Calls go on while the client reconnects and the breaker closes: they race the reconnect.
  EXPECT_TRUE(wait_until([&] { return redis_status(server) == "healthy"; }, 15s));
  EXPECT_TRUE(load_for(50)) << "no calls were served after Redis came back";
  stop = true;
  for (auto& client : clients) client.join();
  EXPECT_TRUE(failures.empty()) << [&] {
    std::ostringstream out;
    out << failures.size() << " of " << served + static_cast<int>(failures.size())
        << " calls failed (Redis killed at " << killed_at << " s, started at " << restarted_at << " s):\n";
    for (std::size_t i = 0; i < std::min<std::size_t>(failures.size(), 5); ++i) {
      auto const& failure = failures[i];
      out << "  " << failure.correlation_id << " at " << failure.at_s << " s: ";
      if (failure.reply.status == 0) out << failure.reply.failure << "\n";
      else out << failure.reply.status << " " << failure.reply.body.substr(0, 300) << "\n";
      std::istringstream log(server.log());
      for (std::string line; std::getline(log, line);)
        if (line.find(failure.correlation_id + "\"") != std::string::npos) out << "    server: " << line << "\n";
    }
    return out.str();
  }();

  // Back: the client reconnects, the breaker closes, and new results land in Redis again.
  ASSERT_TRUE(wait_until([&] { return redis_status(server) == "healthy"; }, 10s));
  redis.cli("FLUSHALL");
  ASSERT_TRUE(wait_until(
      [&] {
        http_request(server.port(), "POST", "/mcp", mcp_headers(session), lookup(410));
        return redis.cli("KEYS prodmcp:tool:*").find("prodmcp:tool:http_status_lookup:") != std::string::npos;
      },
      10s))
      << "results do not reach Redis again";
}

TEST(RedisFaults, ReadinessFailsWhileRequiredRedisIsDown) {
  RedisUnderTest redis;
  ServerUnderTest server(ServerLaunch{with_redis(redis, {"--set", "cache.redis_required=true"}), {}});
  ASSERT_TRUE(wait_until([&] { return ready(server).at("http_status") == 200; }, 5s));
  redis.kill();
  ASSERT_TRUE(wait_until([&] { return ready(server).at("http_status") == 503; }, 5s));
  auto const body = ready(server);
  EXPECT_EQ(body.at("status"), "not_ready");
  EXPECT_EQ(body.at("checks").at("redis").at("status"), "unhealthy");
  // Still serving: readiness is advice to the load balancer, not a refusal.
  auto const session = initialize_session(server.port());
  EXPECT_EQ(http_request(server.port(), "POST", "/mcp", mcp_headers(session), lookup(404)).status, 200);
}

// A flood of /ready probes must not become a flood of Redis round trips: a check's result answers
// probes for health.check_cache_ms.
TEST(RedisFaults, AFloodOfReadinessProbesCostsFewRedisRoundTrips) {
  RedisUnderTest redis;
  ServerUnderTest server(ServerLaunch{with_redis(redis, {"--set", "health.check_cache_ms=5000"}), {}});
  ASSERT_TRUE(wait_until([&] { return ready(server).at("http_status") == 200; }, 5s));
  auto const pings = [&] {
    auto const stats = redis.cli("INFO commandstats");
    auto const at = stats.find("cmdstat_ping:calls=");
    return at == std::string::npos ? 0 : std::stoi(stats.substr(at + 19));
  };
  auto const before = pings();
  bool reused = false;
  for (int probe = 0; probe < 200; ++probe) {
    auto const body = ready(server);
    EXPECT_EQ(body.at("http_status"), 200);
    reused = reused || body.at("checks").at("redis").at("age_ms").to_number<double>() > 0;
  }
  EXPECT_TRUE(reused) << "no probe was answered from the cached result";
  // 200 probes within a few seconds: one check per 5 s interval, plus the server's own periodic one.
  EXPECT_LE(pings() - before, 10);
}

TEST(RedisFaults, ASlowRedisIsBoundedByTheCommandTimeout) {
  RedisUnderTest redis;
  ServerUnderTest server(ServerLaunch{with_redis(redis, {"--set", "cache.command_timeout_ms=100"}), {}});
  ASSERT_TRUE(wait_until([&] { return redis_status(server) == "healthy"; }, 5s));
  auto const session = initialize_session(server.port());
  std::thread sleeper([&] { redis.cli("DEBUG SLEEP 3"); });
  ASSERT_TRUE(wait_until([&] { return !redis.answers_within(100ms); }, 10s)) << "Redis did not fall asleep";
  for (int code : {500, 501, 502}) {
    auto const started = std::chrono::steady_clock::now();
    auto const reply = http_request(server.port(), "POST", "/mcp", mcp_headers(session), lookup(code));
    auto const took = std::chrono::steady_clock::now() - started;
    EXPECT_EQ(reply.status, 200);
    EXPECT_NE(reply.body.find(R"("result")"), std::string::npos) << reply.body;
    EXPECT_LT(took, 2000ms) << "a request waited for the sleeping Redis";
  }
  sleeper.join();
  // Timeouts are failures: enough of them open the breaker, which then serves from memory at once.
  EXPECT_NE(metrics(server).find(R"(circuit_breaker_requests_total{circuit_name="redis",outcome="failure")"),
            std::string::npos);
}

TEST(RedisFaults, TwoInstancesSharingRedisEnforceOneRateLimit) {
  RedisUnderTest redis;
  std::vector<std::string> const limited{"--set", "rate_limit.enabled=true", "--set",
                                         "rate_limit.requests_per_minute=1", "--set", "rate_limit.burst=6"};  // no refill within the test
  ServerUnderTest first(ServerLaunch{with_redis(redis, limited), {}});
  ServerUnderTest second(ServerLaunch{with_redis(redis, limited), {}});
  for (auto* server : {&first, &second})
    ASSERT_TRUE(wait_until([&] { return redis_status(*server) == "healthy"; }, 5s));
  std::string const stateless_ping =
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"x"},)"
      R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})";
  HeaderList headers = mcp_headers();
  headers.emplace_back("MCP-Protocol-Version", "2026-07-28");
  headers.emplace_back("Mcp-Method", "tools/call");
  headers.emplace_back("Mcp-Name", "echo");
  int allowed = 0;
  int limited_count = 0;
  for (int i = 0; i < 12; ++i) {
    auto& server = i % 2 ? second : first;
    auto const status = http_request(server.port(), "POST", "/mcp", headers, stateless_ping).status;
    if (status == 200) ++allowed;
    if (status == 429) ++limited_count;
  }
  EXPECT_EQ(allowed, 6) << "one budget of 6 across both instances";
  EXPECT_EQ(limited_count, 6);
}
