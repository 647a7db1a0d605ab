// The per-second budget for log lines strangers can cause: over it, lines are left out and the
// next one written says how many.
#include "logging/log_budget.hpp"

#include <gtest/gtest.h>

using prodmcp::logging::LogBudget;
using namespace std::chrono_literals;

TEST(LogBudget, LeavesOutLinesOverTheBudgetAndCountsThem) {
  LogBudget budget(3);
  auto const start = LogBudget::Clock::now();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(budget.admit(start + std::chrono::milliseconds(i)), 0u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(budget.admit(start + 500ms), std::nullopt);
  EXPECT_EQ(budget.admit(start + 1001ms), 100u) << "the next second's first line says how many were left out";
  EXPECT_EQ(budget.admit(start + 1002ms), 0u);
}
