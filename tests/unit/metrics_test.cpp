// Metric names, labels and buckets as dashboards expect them; label bounding; readiness.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <regex>

#include "ops/metrics.hpp"
#include "ops/probes.hpp"

using namespace std::chrono_literals;
using prodmcp::ops::Metrics;

namespace {

std::size_t count_lines(std::string const& text, std::string const& prefix) {
  std::size_t count = 0;
  std::size_t position = 0;
  while ((position = text.find("\n" + prefix, position)) != std::string::npos) {
    ++count;
    ++position;
  }
  return count;
}

}  // namespace

TEST(Metrics, ExposesTheContractedNamesLabelsAndBuckets) {
  Metrics metrics("1.2.3", {[] { return std::int64_t{7}; }, [] { return std::int64_t{3}; },
                            [] { return std::uint64_t{2}; }, [] { return std::uint64_t{4}; }});
  metrics.set_known_clients({"console"});
  metrics.set_tool_filter([](std::string_view name) { return name == "echo"; });
  metrics.observe_request("tools/call", "ok", "console", "2025-11-25", "/mcp", 3ms);
  metrics.observe_tool("echo", true);
  metrics.cache_lookup("memory", true);
  metrics.rate_limited("console");
  metrics.breaker_state("redis", prodmcp::resilience::CircuitBreaker::State::kOpen);
  metrics.breaker_call("redis", prodmcp::resilience::CircuitBreaker::State::kOpen, "rejected");
  metrics.config_reload(true);
  auto const text = "\n" + metrics.serialize();

  for (auto const* line : {
           R"(mcp_requests_total{client_id="console",method="tools/call",status="ok",version="2025-11-25"} 1)",
           R"(mcp_request_duration_seconds_bucket{endpoint="/mcp",method="tools/call",le="0.005"} 1)",
           R"(mcp_request_duration_seconds_bucket{endpoint="/mcp",method="tools/call",le="0.0025"})",
           R"(mcp_tool_usage_total{success="true",tool_name="echo"} 1)",
           R"(mcp_cache_hits_total{type="memory"} 1)",
           R"(mcp_rate_limit_rejections_total{client_id="console"} 1)",
           R"(circuit_breaker_state{circuit_name="redis"} 1)",
           R"(circuit_breaker_requests_total{circuit_name="redis",outcome="rejected",state="open"} 1)",
           R"(mcp_config_reloads_total{result="success"} 1)",
           R"(prodmcp_build_info{version="1.2.3"} 1)",
           "mcp_active_connections 7",
           "mcp_sessions 3",
           "mcp_log_lines_dropped_total 2",
           "mcp_coroutine_failures_total 4",
       }) {
    bool const must_be_absent = std::string_view(line).find("0.0025") != std::string_view::npos;
    EXPECT_EQ(text.find(std::string("\n") + line) != std::string::npos, !must_be_absent) << line;
  }
  // Exactly the contracted buckets, plus +Inf.
  EXPECT_EQ(count_lines(text, R"(mcp_request_duration_seconds_bucket{endpoint="/mcp",method="tools/call")"), 12u);
  for (auto const* bound : {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"})
    EXPECT_NE(text.find(std::string("method=\"tools/call\",le=\"") + bound + "\"}"), std::string::npos) << bound;
  for (auto const* name : {"mcp_cpu_usage_percent ", "mcp_memory_usage_bytes ", "process_cpu_seconds_total ",
                           "process_resident_memory_bytes ", "process_open_fds ", "process_start_time_seconds "})
    EXPECT_NE(text.find(std::string("\n") + name), std::string::npos) << name;
  std::smatch memory;
  ASSERT_TRUE(std::regex_search(text, memory, std::regex(R"(\nmcp_memory_usage_bytes (\d+))")));
  EXPECT_GT(std::stod(memory[1]), 1e6);
}

TEST(Metrics, ClientChosenLabelValuesStayBounded) {
  Metrics metrics("1");
  metrics.set_known_clients({"console"});
  metrics.set_tool_filter([](std::string_view name) { return name == "echo"; });
  for (int i = 0; i < 500; ++i) {
    auto const n = std::to_string(i);
    metrics.observe_request("evil/" + n, "ok", "client-" + n, "v" + n, "/x" + n, 1ms);
    metrics.observe_tool("tool-" + n, false);
    metrics.rate_limited("client-" + n);
  }
  auto const text = "\n" + metrics.serialize();
  EXPECT_EQ(count_lines(text, "mcp_requests_total{"), 1u);
  EXPECT_NE(text.find(R"(mcp_requests_total{client_id="other",method="other",status="ok",version="unknown"} 500)"),
            std::string::npos);
  EXPECT_EQ(count_lines(text, "mcp_tool_usage_total{"), 1u);
  EXPECT_EQ(count_lines(text, "mcp_rate_limit_rejections_total{"), 1u);
  EXPECT_EQ(count_lines(text, R"(mcp_request_duration_seconds_count{)"), 1u);
}

namespace {

using prodmcp::ops::CheckResult;
using prodmcp::ops::Readiness;

Readiness::Report evaluate(Readiness const& readiness) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, readiness.evaluate(), boost::asio::use_future);
  io.run();
  return future.get();
}

prodmcp::ops::Check constant(std::string status) {
  return [status]() -> boost::asio::awaitable<CheckResult> {
    CheckResult result;
    result.status = status;
    result.detail = "fixed";
    co_return result;
  };
}

}  // namespace

TEST(Readiness, ReadyUnlessACheckIsUnhealthy) {
  Readiness readiness;
  readiness.add("redis", constant("degraded"));
  readiness.add("disk_space", constant("healthy"));
  auto report = evaluate(readiness);
  EXPECT_TRUE(report.ready);
  EXPECT_EQ(report.body.at("status"), "ready");
  EXPECT_EQ(report.body.at("checks").at("redis").at("status"), "degraded");
  EXPECT_TRUE(report.body.at("checks").at("disk_space").as_object().contains("latency_ms"));
  EXPECT_TRUE(report.body.contains("timestamp"));

  readiness.add("mcp_servers", constant("unhealthy"));
  report = evaluate(readiness);
  EXPECT_FALSE(report.ready);
  EXPECT_EQ(report.body.at("status"), "not_ready");
}

TEST(Readiness, AHangingCheckTimesOutAsUnhealthy) {
  Readiness readiness;
  readiness.set_timeout(50ms);
  readiness.add("redis", []() -> boost::asio::awaitable<CheckResult> {
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, 10s);
    co_await timer.async_wait(boost::asio::use_awaitable);
    co_return CheckResult{};
  });
  auto const started = std::chrono::steady_clock::now();
  auto const report = evaluate(readiness);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_FALSE(report.ready);
  EXPECT_NE(std::string(report.body.at("checks").at("redis").at("detail").as_string()).find("50 ms"),
            std::string::npos);
}

TEST(Readiness, DrainingIsNotReady) {
  Readiness readiness;
  readiness.add("disk_space", constant("healthy"));
  readiness.set_draining();
  auto const report = evaluate(readiness);
  EXPECT_FALSE(report.ready);
  EXPECT_EQ(report.body.at("shutting_down"), true);
}

TEST(DiskSpace, ReportsFreeSpaceAndTheThreshold) {
  auto const fine = prodmcp::ops::disk_space("/", 1);
  EXPECT_EQ(fine.status, "healthy");
  EXPECT_NE(fine.detail.find("free of"), std::string::npos);
  EXPECT_EQ(prodmcp::ops::disk_space("/", std::uint64_t{1} << 62).status, "unhealthy");
  EXPECT_EQ(prodmcp::ops::disk_space("/no/such/path", 1).status, "unhealthy");
}
