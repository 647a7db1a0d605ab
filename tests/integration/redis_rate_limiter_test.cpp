// The shared token bucket in a real Redis: two server instances (two clients) see one limit.
#include <gtest/gtest.h>

#include "ratelimit/redis_rate_limiter.hpp"
#include "redis_client_fixture.hpp"
#include "redis_under_test.hpp"

using namespace prodmcp::testing;
using prodmcp::ratelimit::RedisRateLimiter;
using prodmcp::ratelimit::Decision;

namespace {
// How many times Redis ran a script (the limiter's only command), from INFO commandstats.
long script_runs(RedisUnderTest const& redis) {
  auto const stats = redis.cli("INFO commandstats");
  long runs = 0;
  for (std::string const name : {"cmdstat_evalsha:calls=", "cmdstat_eval:calls="})
    if (auto at = stats.find(name); at != std::string::npos) runs += std::stol(stats.substr(at + name.size()));
  return runs;
}

// Two server instances (two Redis clients, two limiters) sharing one Redis.
struct TwoInstances {
  RedisUnderTest redis;
  ClientFixture first{options_for(redis.url())};
  ClientFixture second{options_for(redis.url())};
  RedisRateLimiter first_limiter{first.client()};
  RedisRateLimiter second_limiter{second.client()};
  bool connected() {
    return first.wait_connected(std::chrono::seconds(5)) && second.wait_connected(std::chrono::seconds(5));
  }
  // Request `i` goes to the first instance when even, to the second when odd.
  std::optional<Decision> acquire(int i, std::string const& client, double per_minute, double burst) {
    auto& fixture = i % 2 ? second : first;
    auto& limiter = i % 2 ? second_limiter : first_limiter;
    return fixture.await(limiter.acquire(client, per_minute, burst));
  }
};
}  // namespace

TEST(RedisRateLimiter, TwoInstancesShareOneBudget) {
  TwoInstances instances;
  ASSERT_TRUE(instances.connected());

  // 6 per minute (a token every 10 s, so none comes back during the loop) with a burst of 10: 10
  // pass, whichever instance they reach.
  int allowed = 0;
  std::optional<Decision> last;
  for (int i = 0; i < 20; ++i) {
    last = instances.acquire(i, "ci-bot", 6, 10);
    ASSERT_TRUE(last.has_value());
    if (last->allowed) ++allowed;
  }
  EXPECT_EQ(allowed, 10);
  EXPECT_FALSE(last->allowed);
  EXPECT_GT(last->retry_after.count(), 0);
  EXPECT_LE(last->retry_after.count(), 10'000);
  // Other clients have their own buckets.
  EXPECT_TRUE(instances.acquire(0, "console", 6, 10)->allowed);
}

TEST(RedisRateLimiter, RefillsOverTime) {
  RedisUnderTest redis;
  ClientFixture fixture(options_for(redis.url()));
  ASSERT_TRUE(fixture.wait_connected(std::chrono::seconds(5)));
  RedisRateLimiter limiter(fixture.client());
  // 60 per minute = one token a second, burst 1: the second call comes well within that second
  // even on a starved machine (at one token per 10 ms, a 10 ms stall between the calls refilled it).
  EXPECT_TRUE(fixture.await(limiter.acquire("c", 60, 1))->allowed);
  auto const refused = fixture.await(limiter.acquire("c", 60, 1));
  EXPECT_FALSE(refused->allowed);
  EXPECT_GT(refused->retry_after.count(), 0);
  EXPECT_LE(refused->retry_after.count(), 1000);
  std::this_thread::sleep_for(refused->retry_after + std::chrono::milliseconds(5));  // at least that long
  EXPECT_TRUE(fixture.await(limiter.acquire("c", 60, 1))->allowed);
}

TEST(RedisRateLimiter, SurvivesAScriptCacheFlushAndSaysNothingWhenRedisIsDown) {
  RedisUnderTest redis;
  ClientFixture fixture(options_for(redis.url()));
  ASSERT_TRUE(fixture.wait_connected(std::chrono::seconds(5)));
  RedisRateLimiter limiter(fixture.client());
  EXPECT_TRUE(fixture.await(limiter.acquire("c", 60, 5)).has_value());
  redis.cli("SCRIPT FLUSH");
  EXPECT_TRUE(fixture.await(limiter.acquire("c", 60, 5)).has_value());
  redis.kill();
  EXPECT_FALSE(fixture.await(limiter.acquire("c", 60, 5)).has_value());
}

TEST(RedisRateLimiter, BusyClientsTakeTokensInLeasesAndNeverExceedTheBudget) {
  TwoInstances instances;
  ASSERT_TRUE(instances.connected());
  EXPECT_EQ(RedisRateLimiter::max_lease(200), 20);
  EXPECT_EQ(RedisRateLimiter::max_lease(5), 1);
  EXPECT_EQ(RedisRateLimiter::max_lease(1e9), RedisRateLimiter::kMaxLease);

  // A burst of 200 and a token every 10 s: 400 requests over two instances.
  auto const before = script_runs(instances.redis);
  int allowed = 0;
  for (int i = 0; i < 400; ++i) {
    auto const decision = instances.acquire(i, "busy", 6, 200);
    ASSERT_TRUE(decision.has_value());
    if (decision->allowed) ++allowed;
  }
  auto const runs = script_runs(instances.redis) - before;
  // Never more than the budget; less only by what leases held when they lapsed (a slow machine).
  EXPECT_LE(allowed, 200);
  EXPECT_GE(allowed, 200 - 2 * RedisRateLimiter::max_lease(200));
  // Leases of up to 20 and kept refusals: a small fraction of the requests reached Redis.
  EXPECT_LT(runs, 60) << runs << " script runs for 400 requests";
  EXPECT_GT(runs, 0);
}
