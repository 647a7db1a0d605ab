// Readiness: a check's result answers probes for the cache interval, and concurrent probes while
// it runs reuse the last result.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <thread>

#include "ops/probes.hpp"

namespace asio = boost::asio;
using namespace prodmcp;
using namespace std::chrono_literals;

namespace {

ops::Readiness::Report evaluate(ops::Readiness const& readiness) {
  asio::io_context io;
  auto future = asio::co_spawn(io, readiness.evaluate(), asio::use_future);
  io.run();
  return future.get();
}

}  // namespace

TEST(Readiness, ReusesACheckResultWithinTheCacheInterval) {
  int runs = 0;
  ops::Readiness readiness;
  readiness.add("counted", [&runs]() -> asio::awaitable<ops::CheckResult> {
    ++runs;
    co_return ops::CheckResult{};
  });
  readiness.set_cache_interval(60s);
  auto const first = evaluate(readiness);
  auto const second = evaluate(readiness);
  EXPECT_EQ(runs, 1);
  EXPECT_TRUE(first.ready);
  EXPECT_EQ(first.body.at("checks").at("counted").at("age_ms").to_number<double>(), 0.0);
  EXPECT_TRUE(second.ready);
  readiness.set_cache_interval(0ms);
  evaluate(readiness);
  evaluate(readiness);
  EXPECT_EQ(runs, 3);
}

TEST(Readiness, AResultThatIsNotHealthyIsCheckedAgainAtOnce) {
  int runs = 0;
  ops::Readiness readiness;
  readiness.add("failing", [&runs]() -> asio::awaitable<ops::CheckResult> {
    ++runs;
    co_return ops::CheckResult{runs < 3 ? "unhealthy" : "healthy", "down, then up", 0};
  });
  readiness.set_cache_interval(60s);
  EXPECT_FALSE(evaluate(readiness).ready);
  EXPECT_FALSE(evaluate(readiness).ready);
  EXPECT_TRUE(evaluate(readiness).ready) << "recovery shows on the next probe";
  EXPECT_TRUE(evaluate(readiness).ready);
  EXPECT_EQ(runs, 3);
  readiness.set_draining();
  EXPECT_EQ(evaluate(readiness).body.at("shutting_down"), true);
}

TEST(Readiness, ConcurrentProbesWhileTheCheckRunsGetTheLastResult) {
  int runs = 0;
  ops::Readiness readiness;
  readiness.add("slow", [&runs]() -> asio::awaitable<ops::CheckResult> {
    ++runs;
    asio::steady_timer timer(co_await asio::this_coro::executor, 50ms);
    co_await timer.async_wait(asio::use_awaitable);
    co_return ops::CheckResult{};
  });
  readiness.set_cache_interval(0ms);
  evaluate(readiness);  // a last result exists
  ASSERT_EQ(runs, 1);
  asio::io_context io;
  std::vector<std::future<ops::Readiness::Report>> probes;
  for (int i = 0; i < 10; ++i) probes.push_back(asio::co_spawn(io, readiness.evaluate(), asio::use_future));
  io.run();
  for (auto& probe : probes) EXPECT_TRUE(probe.get().ready);
  EXPECT_EQ(runs, 2) << "one probe ran the check; the nine others reused the last result";
}

TEST(Readiness, ACheckTakingLongerThanTheTimeoutIsUnhealthy) {
  ops::Readiness readiness;
  readiness.add("stuck", []() -> asio::awaitable<ops::CheckResult> {
    asio::steady_timer timer(co_await asio::this_coro::executor, 10s);
    co_await timer.async_wait(asio::use_awaitable);
    co_return ops::CheckResult{};
  });
  readiness.set_timeout(20ms);
  auto const report = evaluate(readiness);
  EXPECT_FALSE(report.ready);
  EXPECT_EQ(report.body.at("checks").at("stuck").at("status"), "unhealthy");
}
