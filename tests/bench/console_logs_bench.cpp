// The console's log core: how fast server lines are ingested, what a stored line costs in memory,
// and how long a filter takes over the whole store. The line count is the benchmark argument:
//   prodmcp_console_logs_bench                                   # 10,000 and 1,000,000 lines
//   prodmcp_console_logs_bench --benchmark_filter='lines:1000000'  # the real figures
// Lines imitate prodmcp-server's JSON log: mostly mcp request lines, some rejected requests,
// internal errors, redis debug lines, and a few lines that are not JSON.
#include <benchmark/benchmark.h>

#include <QRegularExpression>
#include <QString>

#include <atomic>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "logs/log_filter.hpp"
#include "logs/log_store.hpp"

using namespace prodmcp::console::logs;

namespace {

constexpr std::int64_t kStart = 1'795'000'000'000'000;  // 2026-11-19, microseconds

// A small deterministic generator: the same lines on every run.
class Random {
 public:
  std::uint32_t next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>(state_ >> 33);
  }
  std::uint32_t below(std::uint32_t n) { return next() % n; }

 private:
  std::uint64_t state_ = 42;
};

void append_hex(std::string& out, Random& random, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < digits; ++i) out.push_back(kHex[random.below(16)]);
}

std::string make_line(std::size_t i, Random& random) {
  std::string line;
  line.reserve(360);
  auto const roll = random.below(1000);
  if (roll < 2)
    return "thread 'worker' stalled for " + std::to_string(random.below(5000)) + " ms; timeout pending";
  std::int64_t const time = kStart + static_cast<std::int64_t>(i) * 50 + random.below(50);
  line += "{\"timestamp\":\"";
  line += format_iso8601_us(time);
  line += "\",\"level\":\"";
  if (roll < 880) {
    static constexpr std::string_view kMethods[] = {"tools/call", "tools/call", "tools/call", "tools/list",
                                                    "ping",       "resources/read", "initialize"};
    static constexpr std::string_view kTools[] = {"echo", "search", "fetch_url", "summarize", "sql_query"};
    auto const method = kMethods[random.below(7)];
    bool const tool_error = random.below(50) == 0;
    line += "info\",\"logger\":\"mcp\",\"event\":\"request\",\"correlation_id\":\"";
    append_hex(line, random, 32);
    line += "\",\"method\":\"";
    line += method;
    if (method == "tools/call") {
      line += "\",\"tool\":\"";
      line += kTools[random.below(5)];
    }
    line += "\",\"client_id\":\"client-" + std::to_string(random.below(20));
    line += "\",\"session\":\"";
    append_hex(line, random, 32);
    line += "\",\"version\":\"2025-11-25\",\"endpoint\":\"/mcp\",\"status\":\"";
    line += tool_error ? "tool_error" : "ok";
    line += "\",\"duration_ms\":" + std::to_string(random.below(60)) + "." +
            std::to_string(100 + random.below(900));
  } else if (roll < 930) {
    line += "warning\",\"logger\":\"http\",\"event\":\"request_rejected\",\"correlation_id\":\"";
    append_hex(line, random, 32);
    line += "\",\"http_method\":\"POST\",\"path\":\"/mcp\",\"client_id\":\"client-" +
            std::to_string(random.below(20));
    line += "\",\"remote\":\"10.0.0." + std::to_string(random.below(250));
    line += "\",\"status\":" + std::string(random.below(2) ? "429" : "401");
    line += ",\"duration_ms\":0." + std::to_string(100 + random.below(900));
  } else if (roll < 950) {
    line += "error\",\"logger\":\"mcp\",\"event\":\"request\",\"correlation_id\":\"";
    append_hex(line, random, 32);
    line += "\",\"method\":\"tools/call\",\"tool\":\"fetch_url\",\"client_id\":\"client-" +
            std::to_string(random.below(20));
    line +=
        "\",\"status\":\"error\",\"error_code\":-32603,\"error\":\"upstream timeout: \\\"GET /v1\\\" after "
        "30 s\"";
    line += ",\"duration_ms\":30000." + std::to_string(100 + random.below(900));
  } else {
    line += "debug\",\"logger\":\"redis\",\"event\":\"redis_reply\",\"command\":\"GET\",\"key\":\"cache:";
    append_hex(line, random, 16);
    line += "\",\"hit\":" + std::string(random.below(3) ? "true" : "false");
    line += ",\"meta\":{\"db\":0,\"bytes\":" + std::to_string(random.below(4096)) + "}";
    line += ",\"duration_ms\":0." + std::to_string(100 + random.below(900));
  }
  line += "}";
  return line;
}

std::vector<std::string> const& lines(std::size_t count) {
  static std::map<std::size_t, std::vector<std::string>> cache;
  auto& generated = cache[count];
  if (generated.empty()) {
    Random random;
    generated.reserve(count);
    for (std::size_t i = 0; i < count; ++i) generated.push_back(make_line(i, random));
  }
  return generated;
}

LogStore const& filled_store(std::size_t count) {
  static std::map<std::size_t, std::unique_ptr<LogStore>> cache;
  auto& store = cache[count];
  if (!store) {
    store = std::make_unique<LogStore>();
    for (auto const& line : lines(count)) store->append(line, kStart);
  }
  return *store;
}

void BM_Ingest(benchmark::State& state) {
  auto const count = static_cast<std::size_t>(state.range(0));
  auto const& input = lines(count);
  std::size_t raw_bytes = 0;
  for (auto const& line : input) raw_bytes += line.size();
  double memory_per_line = 0;
  for (auto _ : state) {
    auto store = std::make_unique<LogStore>();
    for (auto const& line : input) store->append(line, kStart);
    memory_per_line = static_cast<double>(store->memory_bytes()) / static_cast<double>(store->size());
    benchmark::DoNotOptimize(store->size());
    state.PauseTiming();  // the store's teardown is not ingest
    store.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * count));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * raw_bytes));
  state.counters["bytes_per_line"] = memory_per_line;
  state.counters["raw_bytes_per_line"] = static_cast<double>(raw_bytes) / static_cast<double>(count);
}

void run_filter(benchmark::State& state, std::string_view query, int threads) {
  auto const& store = filled_store(static_cast<std::size_t>(state.range(0)));
  auto const parsed = parse_filter(query);
  if (!parsed.ok()) {
    state.SkipWithError(parsed.error.c_str());
    return;
  }
  std::uint64_t matched = 0;
  for (auto _ : state) {
    std::atomic<bool> cancel{false};
    auto const outcome = filter(store, parsed.spec, cancel, [](auto, auto, auto) {}, threads);
    matched = outcome.matched;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * store.size()));
  state.counters["matches"] = static_cast<double>(matched);
}

void BM_FilterLevel(benchmark::State& state) { run_filter(state, "level>=warning", 2); }
void BM_FilterField(benchmark::State& state) { run_filter(state, "method=tools/call", 2); }
void BM_FilterFieldAndLevel(benchmark::State& state) {
  run_filter(state, "level>=warning client_id=client-7", 2);
}
void BM_FilterSubstring(benchmark::State& state) { run_filter(state, "timeout", 2); }
void BM_FilterRegex(benchmark::State& state) { run_filter(state, R"(/duration_ms":5\d\.\d+/)", 2); }
void BM_FilterFieldOneThread(benchmark::State& state) { run_filter(state, "method=tools/call", 1); }

// The regex engines on one thread over the same raw lines, to choose one: QRegularExpression (PCRE2
// with JIT, on UTF-16) against std::regex (on the UTF-8 bytes).
void BM_RegexQt(benchmark::State& state) { run_filter(state, R"(/duration_ms":5\d\.\d+/)", 1); }
void BM_RegexStd(benchmark::State& state) {
  auto const& store = filled_store(static_cast<std::size_t>(state.range(0)));
  std::regex const pattern(R"(duration_ms":5\d\.\d+)", std::regex::ECMAScript | std::regex::optimize);
  std::uint64_t matched = 0;
  for (auto _ : state) {
    matched = 0;
    auto const snapshot = store.snapshot();
    for (auto const& block : snapshot.blocks())
      for (std::size_t i = 0; i < block.records.size(); ++i) {
        auto const raw = block.line(i).raw();
        matched += std::regex_search(raw.begin(), raw.end(), pattern) ? 1 : 0;
      }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * store.size()));
  state.counters["matches"] = static_cast<double>(matched);
}

void line_counts(benchmark::internal::Benchmark* benchmark) {
  benchmark->ArgName("lines")->Arg(10'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();
}

}  // namespace

BENCHMARK(BM_Ingest)->Apply(line_counts);
BENCHMARK(BM_FilterLevel)->Apply(line_counts);
BENCHMARK(BM_FilterField)->Apply(line_counts);
BENCHMARK(BM_FilterFieldAndLevel)->Apply(line_counts);
BENCHMARK(BM_FilterSubstring)->Apply(line_counts);
BENCHMARK(BM_FilterRegex)->Apply(line_counts);
BENCHMARK(BM_FilterFieldOneThread)->Apply(line_counts);
BENCHMARK(BM_RegexQt)->Apply(line_counts);
BENCHMARK(BM_RegexStd)->Apply(line_counts);

BENCHMARK_MAIN();
