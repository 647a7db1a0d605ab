// The breaker's transitions on a fake clock, with the production defaults.
#include <gtest/gtest.h>

#include "fake_clock.hpp"
#include "resilience/circuit_breaker.hpp"

using namespace std::chrono_literals;
using prodmcp::resilience::CircuitBreaker;
using State = CircuitBreaker::State;

namespace {

struct BreakerTest : ::testing::Test {
  prodmcp::testing::FakeClock clock;
  CircuitBreaker breaker{"redis", {}, clock.function()};
  std::vector<std::pair<State, State>> changes;
  BreakerTest() {
    breaker.on_change([this](State from, State to) { changes.emplace_back(from, to); });
  }
  void fail(int times) {
    for (int i = 0; i < times; ++i) {
      ASSERT_TRUE(breaker.allow());
      breaker.record_failure();
    }
  }
};

}  // namespace

TEST_F(BreakerTest, OpensAfterFiveConsecutiveFailures) {
  fail(4);
  EXPECT_EQ(breaker.state(), State::kClosed);
  fail(1);
  EXPECT_EQ(breaker.state(), State::kOpen);
  EXPECT_FALSE(breaker.allow());
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0], std::pair(State::kClosed, State::kOpen));
}

TEST_F(BreakerTest, OpensAfterFiveFailuresWithinTheWindowEvenWithSuccessesBetween) {
  for (int i = 0; i < 4; ++i) {
    fail(1);
    breaker.record_success();
    clock.advance(60s);
  }
  EXPECT_EQ(breaker.state(), State::kClosed);
  fail(1);  // the fifth failure within 300 s
  EXPECT_EQ(breaker.state(), State::kOpen);
}

TEST_F(BreakerTest, FailuresOlderThanTheWindowDoNotCount) {
  for (int i = 0; i < 4; ++i) {
    fail(1);
    breaker.record_success();
    clock.advance(100s);
  }
  fail(1);  // the first failures are more than 300 s old now
  EXPECT_EQ(breaker.state(), State::kClosed);
}

TEST_F(BreakerTest, HalfOpensAfterSixtySecondsAndClosesAfterThreeSuccesses) {
  fail(5);
  clock.advance(59s);
  EXPECT_FALSE(breaker.allow());
  clock.advance(1s);
  EXPECT_TRUE(breaker.allow());
  EXPECT_EQ(breaker.state(), State::kHalfOpen);
  EXPECT_TRUE(breaker.allow());
  EXPECT_TRUE(breaker.allow());
  EXPECT_FALSE(breaker.allow()) << "half-open lets through only the probes it needs";
  breaker.record_success();
  breaker.record_success();
  EXPECT_EQ(breaker.state(), State::kHalfOpen);
  breaker.record_success();
  EXPECT_EQ(breaker.state(), State::kClosed);
  EXPECT_TRUE(breaker.allow());
}

TEST_F(BreakerTest, TheWaitDoublesPerFailedProbeUpToTheCapAndResetsWhenClosed) {
  fail(5);
  std::chrono::seconds expected = 60s;
  for (int round = 0; round < 8; ++round) {
    clock.advance(expected - 1s);
    EXPECT_FALSE(breaker.allow()) << "round " << round;
    clock.advance(1s);
    ASSERT_TRUE(breaker.allow()) << "round " << round;
    breaker.record_failure();
    expected = std::min(expected * 2, 1920s);
  }
  EXPECT_EQ(expected, 1920s);
  clock.advance(1920s);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(breaker.allow());
    breaker.record_success();
  }
  EXPECT_EQ(breaker.state(), State::kClosed);
  fail(5);
  clock.advance(60s);
  EXPECT_TRUE(breaker.allow()) << "after closing, the wait is back to 60 s";
}

TEST_F(BreakerTest, ProbeNowHalfOpensAnOpenBreakerAtOnceAndChangesNothingElse) {
  breaker.probe_now();
  EXPECT_EQ(breaker.state(), State::kClosed);
  fail(5);
  ASSERT_EQ(breaker.state(), State::kOpen);
  clock.advance(1s);  // long before the 60 s wait ends
  breaker.probe_now();
  EXPECT_EQ(breaker.state(), State::kHalfOpen);
  // Probes decide as after a wait: three successes close it.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(breaker.allow());
    breaker.record_success();
  }
  EXPECT_EQ(breaker.state(), State::kClosed);
  // A failed probe opens it again, for twice the wait.
  fail(5);
  breaker.probe_now();
  ASSERT_TRUE(breaker.allow());
  breaker.record_failure();
  EXPECT_EQ(breaker.state(), State::kOpen);
  clock.advance(61s);
  EXPECT_FALSE(breaker.allow());
  clock.advance(60s);
  EXPECT_TRUE(breaker.allow());
}
