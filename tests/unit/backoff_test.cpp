// Backoff with full jitter: ceilings, draws and the retry rule, with a fixed random source.
#include <gtest/gtest.h>

#include <random>

#include "resilience/backoff.hpp"

using namespace prodmcp::resilience;
using namespace std::chrono_literals;

namespace {
UnitRandom constant(double unit) {
  return [unit] { return unit; };
}
}  // namespace

TEST(Backoff, CeilingDoublesUpToTheCap) {
  RetryPolicy const policy;  // 100 ms base, 2 s cap
  EXPECT_EQ(backoff_ceiling(policy, 0), 100ms);
  EXPECT_EQ(backoff_ceiling(policy, 1), 200ms);
  EXPECT_EQ(backoff_ceiling(policy, 2), 400ms);
  EXPECT_EQ(backoff_ceiling(policy, 3), 800ms);
  EXPECT_EQ(backoff_ceiling(policy, 4), 1600ms);
  EXPECT_EQ(backoff_ceiling(policy, 5), 2000ms);
  EXPECT_EQ(backoff_ceiling(policy, 1000), 2000ms);  // no overflow on absurd retry numbers
}

TEST(Backoff, DelayIsTheCeilingScaledByTheDraw) {
  RetryPolicy const policy;
  EXPECT_EQ(backoff_delay(policy, 2, constant(0.0)), 0ms);
  EXPECT_EQ(backoff_delay(policy, 2, constant(0.5)), 200ms);
  EXPECT_EQ(backoff_delay(policy, 10, constant(0.25)), 500ms);
  EXPECT_LT(backoff_delay(policy, 2, constant(0.999999)), 400ms);
  EXPECT_LE(backoff_delay(policy, 2, constant(7.0)), 400ms);  // a broken source cannot exceed the ceiling
}

TEST(Backoff, JitteredDelaysStayInRangeAndVary) {
  RetryPolicy const policy{5, 10ms, 1s};
  std::mt19937_64 generator(42);
  UnitRandom const random = [&generator] { return std::uniform_real_distribution<double>(0, 1)(generator); };
  for (int retry = 0; retry < 8; ++retry) {
    auto const ceiling = backoff_ceiling(policy, retry);
    auto lowest = ceiling;
    auto highest = std::chrono::nanoseconds::zero();
    for (int draw = 0; draw < 200; ++draw) {
      auto const delay = backoff_delay(policy, retry, random);
      ASSERT_GE(delay, 0ns);
      ASSERT_LT(delay, ceiling);
      lowest = std::min(lowest, delay);
      highest = std::max(highest, delay);
    }
    EXPECT_LT(lowest, ceiling / 4) << retry;
    EXPECT_GT(highest, ceiling * 3 / 4) << retry;
  }
}

TEST(Backoff, DefaultRandomIsAUnitInterval) {
  auto const random = default_unit_random();
  for (int i = 0; i < 1000; ++i) {
    double const unit = random();
    ASSERT_GE(unit, 0.0);
    ASSERT_LT(unit, 1.0);
  }
}

TEST(Backoff, ZeroBaseMeansNoWait) {
  RetryPolicy const policy{3, 0ms, 2s};
  EXPECT_EQ(backoff_ceiling(policy, 5), 0ns);
  EXPECT_EQ(backoff_delay(policy, 5, constant(0.9)), 0ns);
}

TEST(Backoff, RetriesOnlyIdempotentWorkWhileAttemptsRemain) {
  RetryPolicy const policy;  // 3 attempts
  EXPECT_TRUE(should_retry(policy, true, 1));
  EXPECT_TRUE(should_retry(policy, true, 2));
  EXPECT_FALSE(should_retry(policy, true, 3));
  EXPECT_FALSE(should_retry(policy, false, 1));
  EXPECT_FALSE(should_retry(RetryPolicy{1, 100ms, 2s}, true, 1));
}
