// The shared token bucket in a real Redis: two server instances (two clients) see one limit.
#include <gtest/gtest.h>

#include "ratelimit/redis_rate_limiter.hpp"
#include "redis_client_fixture.hpp"
#include "redis_under_test.hpp"

using namespace prodmcp::testing;
using prodmcp::ratelimit::RedisRateLimiter;
using prodmcp::ratelimit::Decision;

TEST(RedisRateLimiter, TwoInstancesShareOneBudget) {
  RedisUnderTest redis;
  ClientFixture first(options_for(redis.url()));
  ClientFixture second(options_for(redis.url()));
  ASSERT_TRUE(first.wait_connected(std::chrono::seconds(5)));
  ASSERT_TRUE(second.wait_connected(std::chrono::seconds(5)));
  RedisRateLimiter first_limiter(first.client());
  RedisRateLimiter second_limiter(second.client());

  // 6 per minute (a token every 10 s, so none comes back during the loop) with a burst of 10: 10
  // pass, whichever instance they reach.
  int allowed = 0;
  std::optional<Decision> last;
  for (int i = 0; i < 20; ++i) {
    auto& fixture = i % 2 ? second : first;
    auto& limiter = i % 2 ? second_limiter : first_limiter;
    last = fixture.await(limiter.acquire("ci-bot", 6, 10));
    ASSERT_TRUE(last.has_value());
    if (last->allowed) ++allowed;
  }
  EXPECT_EQ(allowed, 10);
  EXPECT_FALSE(last->allowed);
  EXPECT_GT(last->retry_after.count(), 0);
  EXPECT_LE(last->retry_after.count(), 10'000);
  // Other clients have their own buckets.
  EXPECT_TRUE(first.await(first_limiter.acquire("console", 6, 10))->allowed);
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
