// Local token buckets on a fake clock.
#include <gtest/gtest.h>

#include "fake_clock.hpp"
#include "ratelimit/token_bucket.hpp"

using namespace std::chrono_literals;
using prodmcp::ratelimit::TokenBuckets;

TEST(TokenBuckets, AllowsABurstThenTheRate) {
  prodmcp::testing::FakeClock clock;
  TokenBuckets buckets(60, 5, 100, clock.function());  // one per second, burst 5
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(buckets.acquire("a").allowed) << i;
  auto const refused = buckets.acquire("a");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 1000ms);
  clock.advance(500ms);
  EXPECT_EQ(buckets.acquire("a").retry_after, 500ms);
  clock.advance(500ms);
  EXPECT_TRUE(buckets.acquire("a").allowed);
  EXPECT_TRUE(buckets.acquire("b").allowed) << "each client has its own bucket";
}

TEST(TokenBuckets, RefillStopsAtTheBurst) {
  prodmcp::testing::FakeClock clock;
  TokenBuckets buckets(60, 3, 100, clock.function());
  buckets.acquire("a");
  clock.advance(1h);
  EXPECT_EQ(buckets.acquire("a").remaining, 2);
}

TEST(TokenBuckets, ForgetsTheLeastRecentlySeenClientsBeyondTheBound) {
  prodmcp::testing::FakeClock clock;
  TokenBuckets buckets(60, 1, 3, clock.function());
  EXPECT_TRUE(buckets.acquire("a").allowed);
  EXPECT_TRUE(buckets.acquire("b").allowed);
  EXPECT_TRUE(buckets.acquire("c").allowed);
  EXPECT_FALSE(buckets.acquire("a").allowed);  // "a" is now the most recent
  EXPECT_TRUE(buckets.acquire("d").allowed);   // evicts "b"
  EXPECT_EQ(buckets.tracked_clients(), 3u);
  EXPECT_FALSE(buckets.acquire("a").allowed) << "a was kept";
  EXPECT_TRUE(buckets.acquire("b").allowed) << "b was forgotten, so it starts full";
  for (int i = 0; i < 1000; ++i) buckets.acquire("client-" + std::to_string(i));
  EXPECT_EQ(buckets.tracked_clients(), 3u);
}

TEST(TokenBuckets, ReconfigureCapsExistingBuckets) {
  prodmcp::testing::FakeClock clock;
  TokenBuckets buckets(60, 10, 100, clock.function());
  buckets.acquire("a");
  buckets.reconfigure(60, 2);
  EXPECT_TRUE(buckets.acquire("a").allowed);
  EXPECT_TRUE(buckets.acquire("a").allowed);
  EXPECT_FALSE(buckets.acquire("a").allowed);
}
