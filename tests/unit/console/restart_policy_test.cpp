#include "supervision/restart_policy.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using prodmcp::console::RestartMode;
using prodmcp::console::RestartOptions;
using prodmcp::console::RestartPolicy;

namespace {
RestartPolicy::TimePoint at(std::chrono::milliseconds offset) { return RestartPolicy::TimePoint{} + offset; }
}  // namespace

TEST(RestartPolicy, NeverRestarts) {
  RestartPolicy policy({.mode = RestartMode::kNever});
  auto decision = policy.on_exit(true, at(0ms), at(1s));
  EXPECT_FALSE(decision.restart);
  EXPECT_FALSE(decision.crash_loop);
}

TEST(RestartPolicy, OnFailureIgnoresCleanExits) {
  RestartPolicy policy({.mode = RestartMode::kOnFailure});
  EXPECT_FALSE(policy.on_exit(false, at(0ms), at(1s)).restart);
  EXPECT_TRUE(policy.on_exit(true, at(2s), at(3s)).restart);
  RestartPolicy always({.mode = RestartMode::kAlways});
  EXPECT_TRUE(always.on_exit(false, at(0ms), at(1s)).restart);
}

TEST(RestartPolicy, BackoffDoublesUpToTheCapAndResetsAfterAStableRun) {
  RestartOptions options{.initial_backoff = 100ms, .max_backoff = 350ms, .crash_loop_exits = 100};
  RestartPolicy policy(options);
  std::vector<long> delays;
  auto t = 0ms;
  for (int i = 0; i < 5; ++i, t += 1s) delays.push_back(policy.on_exit(true, at(t), at(t + 1s)).delay.count());
  EXPECT_EQ(delays, (std::vector<long>{100, 200, 350, 350, 350}));
  // A run longer than stable_after starts the backoff over.
  EXPECT_EQ(policy.on_exit(true, at(t), at(t + 31s)).delay, 100ms);
  EXPECT_EQ(policy.restarts(), 6);
}

TEST(RestartPolicy, CrashLoopStopsRestartsAndSaysWhy) {
  RestartPolicy policy({.crash_loop_exits = 3, .crash_loop_window = 10s});
  EXPECT_TRUE(policy.on_exit(true, at(0s), at(1s)).restart);
  EXPECT_TRUE(policy.on_exit(true, at(2s), at(3s)).restart);
  auto decision = policy.on_exit(true, at(4s), at(5s));
  EXPECT_FALSE(decision.restart);
  EXPECT_TRUE(decision.crash_loop);
  EXPECT_NE(decision.reason.find("3 exits within 10 s"), std::string::npos);
}

TEST(RestartPolicy, ExitsOutsideTheWindowAreNotALoop) {
  RestartPolicy policy({.crash_loop_exits = 3, .crash_loop_window = 10s});
  EXPECT_TRUE(policy.on_exit(true, at(0s), at(1s)).restart);
  EXPECT_TRUE(policy.on_exit(true, at(8s), at(9s)).restart);
  EXPECT_TRUE(policy.on_exit(true, at(20s), at(21s)).restart);  // the first has left the window
  policy.reset();
  EXPECT_TRUE(policy.on_exit(true, at(22s), at(22s)).restart);
}

TEST(RestartPolicy, ModeNamesRoundTrip) {
  for (auto mode : {RestartMode::kNever, RestartMode::kOnFailure, RestartMode::kAlways}) {
    RestartMode parsed{};
    ASSERT_TRUE(parse_restart_mode(restart_mode_name(mode), parsed));
    EXPECT_EQ(parsed, mode);
  }
  RestartMode ignored{};
  EXPECT_FALSE(parse_restart_mode("sometimes", ignored));
}
