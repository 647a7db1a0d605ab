// Benchmarks of the console's metrics core: what one scrape of a large server costs to parse and
// store (target: under 10 ms for 5,000 series, on the scrape worker), and what a latency chart's
// query costs (histogram_quantile over rate, 15-minute window, on the GUI thread).
//   prodmcp_console_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "metrics/exposition_parser.hpp"
#include "metrics/promql.hpp"
#include "metrics/series_store.hpp"

using namespace prodmcp::console::metrics;

namespace {

constexpr int64_t kScrapeIntervalMs = 5'000;

// A /metrics text with exactly 5,000 series: a latency histogram (20 methods x 2 endpoints x 12
// buckets, plus _sum and _count = 560), a request counter (20 methods x 5 statuses x 40 clients =
// 4,000) and 440 gauges. `n` is the scrape number: counters grow with it.
std::string synthetic_scrape(int64_t n) {
  std::string text;
  text.reserve(600'000);
  static constexpr std::string_view kBounds[] = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
                                                 "0.5",   "1",    "2.5",   "5",    "10",  "+Inf"};
  static constexpr std::string_view kStatuses[] = {"ok", "error", "cancelled", "timeout", "rejected"};
  text += "# HELP bench_request_duration_seconds Time to serve a request\n";
  text += "# TYPE bench_request_duration_seconds histogram\n";
  for (int m = 0; m < 20; ++m) {
    for (std::string_view endpoint : {"/mcp", "stdio"}) {
      std::string labels =
          "endpoint=\"" + std::string(endpoint) + "\",method=\"method_" + std::to_string(m) + "\"";
      for (int b = 0; b < 12; ++b) {
        // Cumulative counts: bucket b has seen (b + 1) x (m + 1) observations per scrape.
        text += "bench_request_duration_seconds_bucket{" + labels + ",le=\"" + std::string(kBounds[b]) +
                "\"} " + std::to_string(n * (b + 1) * (m + 1)) + "\n";
      }
      text +=
          "bench_request_duration_seconds_sum{" + labels + "} " + std::to_string(n * 0.37 * (m + 1)) + "\n";
      text +=
          "bench_request_duration_seconds_count{" + labels + "} " + std::to_string(n * 12 * (m + 1)) + "\n";
    }
  }
  text += "# HELP bench_requests_total Requests served\n# TYPE bench_requests_total counter\n";
  for (int m = 0; m < 20; ++m) {
    for (std::string_view status : kStatuses) {
      for (int c = 0; c < 40; ++c) {
        text += "bench_requests_total{client_id=\"client-" + std::to_string(c) + "\",method=\"method_" +
                std::to_string(m) + "\",status=\"" + std::string(status) + "\"} " +
                std::to_string(n * (c + m)) + "\n";
      }
    }
  }
  text += "# HELP bench_queue_depth Queued items per shard\n# TYPE bench_queue_depth gauge\n";
  for (int s = 0; s < 440; ++s) {
    text += "bench_queue_depth{shard=\"" + std::to_string(s) + "\"} " + std::to_string((n + s) % 17) + "\n";
  }
  return text;
}

void parse_5000_series(benchmark::State& state) {
  std::string text = synthetic_scrape(100);
  for (auto _ : state) {
    auto parsed = parse_exposition(text);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void store_5000_series(benchmark::State& state) {
  auto parsed = parse_exposition(synthetic_scrape(100));
  SeriesStore store;
  int64_t t = 0;
  store.append_scrape(parsed, t);  // the series exist; what follows is the steady state
  for (auto _ : state) store.append_scrape(parsed, t += kScrapeIntervalMs);
  state.counters["series"] = static_cast<double>(store.series_count());
}

void parse_and_store_5000_series(benchmark::State& state) {
  std::string text = synthetic_scrape(100);
  SeriesStore store;
  int64_t t = 0;
  store.append_scrape(parse_exposition(text), t);
  for (auto _ : state) store.append_scrape(parse_exposition(text), t += kScrapeIntervalMs);
  state.counters["series"] = static_cast<double>(store.series_count());
  state.counters["memory_MiB"] = static_cast<double>(store.memory_bytes()) / (1 << 20);
}

// A store holding 20 minutes of 5 s scrapes of the 5,000-series server, built once.
SeriesStore const& filled_store(int64_t& end_ms) {
  static int64_t const kEnd = 240 * kScrapeIntervalMs;
  static std::unique_ptr<SeriesStore> const store = [] {
    auto s = std::make_unique<SeriesStore>();
    for (int64_t n = 0; n <= 240; ++n)
      s->append_scrape(parse_exposition(synthetic_scrape(n)), n * kScrapeIntervalMs);
    return s;
  }();
  end_ms = kEnd;
  return *store;
}

// The latency chart: p99 per method over the last 15 minutes, one point per 5 s (181 points).
void latency_chart_15m(benchmark::State& state, std::string_view query) {
  int64_t end = 0;
  SeriesStore const& store = filled_store(end);
  auto parsed = parse_promql(query);
  if (!parsed.ok()) {
    state.SkipWithError(parsed.error->to_string().c_str());
    return;
  }
  std::size_t points = 0;
  for (auto _ : state) {
    auto result = evaluate_range(store, *parsed.expr, end - 15 * 60'000, end, kScrapeIntervalMs);
    if (!result.ok()) {
      state.SkipWithError(result.error.c_str());
      return;
    }
    points = 0;
    for (auto const& series : result.series) points += series.points.size();
    benchmark::DoNotOptimize(result);
  }
  state.counters["points"] = static_cast<double>(points);
}

}  // namespace

BENCHMARK(parse_5000_series)->Unit(benchmark::kMillisecond);
BENCHMARK(store_5000_series)->Unit(benchmark::kMillisecond);
BENCHMARK(parse_and_store_5000_series)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(latency_chart_15m, p99_overall,
                  "histogram_quantile(0.99, sum by (le) (rate(bench_request_duration_seconds_bucket[5m])))")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(
    latency_chart_15m, p99_by_method,
    "histogram_quantile(0.99, sum by (le, method) (rate(bench_request_duration_seconds_bucket[5m])))")
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
