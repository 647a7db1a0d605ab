#include "ops/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <iterator>
#include <array>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <sstream>
#include <unordered_map>

namespace prodmcp::ops {

namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;

// Every method a client may call on some revision; anything else is "other".
constexpr std::array<std::string_view, 23> kKnownMethods{
    "initialize",          "ping",
    "server/discover",     "subscriptions/listen",
    "tools/list",          "tools/call",
    "resources/list",      "resources/templates/list",
    "resources/read",      "resources/subscribe",
    "resources/unsubscribe", "prompts/list",
    "prompts/get",         "completion/complete",
    "logging/setLevel",    "tasks/get",
    "tasks/list",          "tasks/cancel",
    "tasks/result",        "notifications/initialized",
    "notifications/cancelled", "notifications/roots/list_changed",
    "notifications/progress"};
constexpr std::array<std::string_view, 5> kKnownVersions{"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25",
                                                         "2026-07-28"};
constexpr std::array<std::string_view, 3> kKnownStatuses{"ok", "error", "cancelled"};
constexpr std::array<std::string_view, 2> kKnownEndpoints{"/mcp", "stdio"};

template <std::size_t N>
std::string_view bounded(std::array<std::string_view, N> const& known, std::string_view value,
                         std::string_view fallback) {
  return std::find(known.begin(), known.end(), value) != known.end() ? value : fallback;
}

struct TransparentHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

// Children of a family by their joined label values, created once: the hot path is a shared-lock
// lookup and an atomic add, never a label map.
template <class Metric>
class ChildCache {
 public:
  explicit ChildCache(Family<Metric>& family) : family_(family) {}

  Metric* find(std::string_view key) {
    std::shared_lock lock(mutex_);
    auto it = children_.find(key);
    return it == children_.end() ? nullptr : it->second;
  }

  // `labels()` builds the label map, called only the first time a key is seen.
  template <class MakeLabels, class... Extra>
  Metric& get(std::string_view key, MakeLabels const& labels, Extra const&... extra) {
    {
      std::shared_lock lock(mutex_);
      if (auto it = children_.find(key); it != children_.end()) return *it->second;
    }
    std::unique_lock lock(mutex_);
    auto& child = family_.Add(labels(), extra...);
    children_.emplace(std::string(key), &child);
    return child;
  }

 private:
  Family<Metric>& family_;
  std::shared_mutex mutex_;
  std::unordered_map<std::string, Metric*, TransparentHash, std::equal_to<>> children_;
};

// The label values joined into a lookup key, in a per-thread buffer (no allocation once warm).
std::string_view child_key(std::initializer_list<std::string_view> parts) {
  thread_local std::string key;
  key.clear();
  for (auto const part : parts) key.append(part).push_back('\x1f');
  return key;
}

struct ProcessSample {
  double cpu_seconds = 0;
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double start_time_seconds = 0;
};

ProcessSample sample_process() {
  ProcessSample sample;
  std::ifstream stat_file("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // Fields after the command name, which may contain spaces, start after the last ')'.
  auto const close = text.rfind(')');
  if (close == std::string::npos) return sample;
  std::istringstream fields(text.substr(close + 2));
  std::vector<std::string> values((std::istream_iterator<std::string>(fields)), std::istream_iterator<std::string>());
  // values[0] is field 3 (state): utime is field 14, stime 15, starttime 22, vsize 23, rss 24.
  auto field = [&](int number) { return values.size() > std::size_t(number - 3) ? std::stod(values[number - 3]) : 0.0; };
  double const ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  sample.cpu_seconds = (field(14) + field(15)) / ticks;
  sample.virtual_bytes = field(23);
  sample.resident_bytes = field(24) * static_cast<double>(::sysconf(_SC_PAGESIZE));
  std::ifstream boot("/proc/stat");
  for (std::string line; std::getline(boot, line);)
    if (line.starts_with("btime ")) sample.start_time_seconds = std::stod(line.substr(6)) + field(22) / ticks;
  return sample;
}

double open_fds() {
  std::error_code ec;
  double count = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec); !ec && it != std::filesystem::end(it);
       it.increment(ec))
    ++count;
  return count;
}

double max_fds() {
  rlimit limit{};
  return ::getrlimit(RLIMIT_NOFILE, &limit) == 0 ? static_cast<double>(limit.rlim_cur) : 0;
}

}  // namespace

struct Metrics::Impl {
  Impl(std::string version, MetricSources sources)
      : sources(std::move(sources)),
        requests(prometheus::BuildCounter()
                     .Name("mcp_requests_total")
                     .Help("JSON-RPC requests served, by method, status (ok: a result; error: a JSON-RPC error; "
                           "cancelled: the client cancelled it), client and protocol version")
                     .Register(*registry)),
        durations(prometheus::BuildHistogram()
                      .Name("mcp_request_duration_seconds")
                      .Help("Time to serve a JSON-RPC request, by method and endpoint (/mcp or stdio)")
                      .Register(*registry)),
        tools(prometheus::BuildCounter()
                  .Name("mcp_tool_usage_total")
                  .Help("Tool calls by tool and whether they succeeded (no JSON-RPC error, no isError)")
                  .Register(*registry)),
        cache_hits(prometheus::BuildCounter()
                       .Name("mcp_cache_hits_total")
                       .Help("Tool-result cache hits by store (memory, redis)")
                       .Register(*registry)),
        cache_misses(prometheus::BuildCounter()
                         .Name("mcp_cache_misses_total")
                         .Help("Tool-result cache misses by store (memory, redis)")
                         .Register(*registry)),
        rate_limited_family(prometheus::BuildCounter()
                                .Name("mcp_rate_limit_rejections_total")
                                .Help("Requests refused by the rate limit (429), by client")
                                .Register(*registry)),
        breaker_states(prometheus::BuildGauge()
                           .Name("circuit_breaker_state")
                           .Help("Circuit breaker state: 0 closed, 1 open, 2 half-open")
                           .Register(*registry)),
        breaker_calls(prometheus::BuildCounter()
                          .Name("circuit_breaker_requests_total")
                          .Help("Calls through a circuit breaker by the state it was in and the outcome "
                                "(success, failure, rejected)")
                          .Register(*registry)),
        reloads(prometheus::BuildCounter()
                    .Name("mcp_config_reloads_total")
                    .Help("Configuration reloads (SIGHUP) by result (success, failure)")
                    .Register(*registry)),
        health_status(prometheus::BuildGauge()
                          .Name("mcp_health_check_status")
                          .Help("Latest periodic readiness check result by check: 1 healthy, 0.5 degraded, "
                                "0 unhealthy")
                          .Register(*registry)),
        health_failures(prometheus::BuildGauge()
                            .Name("mcp_health_check_consecutive_failures")
                            .Help("Periodic readiness runs in a row in which this check was unhealthy")
                            .Register(*registry)),
        upstream_requests(prometheus::BuildCounter()
                              .Name("mcp_upstream_requests_total")
                              .Help("Requests the gateway sent to an upstream MCP server, by upstream, method and "
                                    "status (ok, error: a JSON-RPC error, failed: no answer, cancelled)")
                              .Register(*registry)),
        upstream_durations(prometheus::BuildHistogram()
                               .Name("mcp_upstream_request_duration_seconds")
                               .Help("Time an upstream MCP server took to answer, by upstream")
                               .Register(*registry)),
        upstream_up(prometheus::BuildGauge()
                        .Name("mcp_upstream_up")
                        .Help("1 while the upstream MCP server is initialized and listed, else 0")
                        .Register(*registry)),
        upstream_restarts(prometheus::BuildCounter()
                              .Name("mcp_upstream_restarts_total")
                              .Help("Restarts of a supervised stdio upstream after it exited or failed to start")
                              .Register(*registry)),
        upstream_sessions(prometheus::BuildGauge()
                              .Name("mcp_upstream_sessions")
                              .Help("Sessions the gateway holds with the upstream MCP server")
                              .Register(*registry)),
        request_children(requests),
        duration_children(durations),
        tool_children(tools),
        rate_limited_children(rate_limited_family),
        cache_hit_children(cache_hits),
        cache_miss_children(cache_misses),
        breaker_call_children(breaker_calls) {
    auto gauge = [this](std::string const& name, std::string const& help) -> Gauge& {
      return prometheus::BuildGauge().Name(name).Help(help).Register(*registry).Add({});
    };
    auto counter = [this](std::string const& name, std::string const& help) -> Counter& {
      return prometheus::BuildCounter().Name(name).Help(help).Register(*registry).Add({});
    };
    active_connections = &gauge("mcp_active_connections", "Open client connections on the MCP endpoint");
    sessions_gauge = &gauge("mcp_sessions", "Live MCP sessions");
    ready_gauge = &gauge("mcp_ready", "1 while the latest periodic readiness run passed (what /ready answers), else 0");
    cpu_percent = &gauge("mcp_cpu_usage_percent", "CPU used by the server since the previous scrape, in percent "
                                                  "of one core");
    memory_bytes = &gauge("mcp_memory_usage_bytes", "Resident memory of the server process");
    dropped_logs = &counter("mcp_log_lines_dropped_total", "Log lines dropped because the log queue was full");
    coroutine_failures = &counter("mcp_coroutine_failures_total",
                                  "Connections and background tasks that ended with an unexpected exception (each "
                                  "logged as coroutine_failed)");
    process_cpu = &counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds");
    process_resident = &gauge("process_resident_memory_bytes", "Resident memory size in bytes");
    process_virtual = &gauge("process_virtual_memory_bytes", "Virtual memory size in bytes");
    process_start = &gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds");
    process_fds = &gauge("process_open_fds", "Number of open file descriptors");
    process_max_fds = &gauge("process_max_fds", "Maximum number of open file descriptors");
    prometheus::BuildGauge()
        .Name("prodmcp_build_info")
        .Help("Build information; the value is always 1")
        .Register(*registry)
        .Add({{"version", version}})
        .Set(1);
    last_sample = sample_process();
    last_sample_time = std::chrono::steady_clock::now();
    // Until the first scrape, CPU use is averaged since the process started.
    last_sample.cpu_seconds = 0;
    last_sample_time -= std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(
        std::max(1.0, static_cast<double>(std::time(nullptr)) - last_sample.start_time_seconds)));
  }

  std::string_view client_label(std::string_view client_id) {
    if (client_id == "anonymous") return client_id;
    std::shared_lock lock(clients_mutex);
    return known_clients.contains(client_id) ? client_id : std::string_view("other");
  }

  std::string_view tool_label(std::string_view tool) {
    std::shared_lock lock(clients_mutex);
    return is_known_tool && is_known_tool(tool) ? tool : std::string_view("other");
  }

  void refresh() {
    auto const sample = sample_process();
    auto const now = std::chrono::steady_clock::now();
    double const wall = std::chrono::duration<double>(now - last_sample_time).count();
    double const cpu = sample.cpu_seconds - last_sample.cpu_seconds;
    if (wall > 0) cpu_percent->Set(std::max(0.0, 100.0 * cpu / wall));
    process_cpu->Increment(std::max(0.0, sample.cpu_seconds - process_cpu->Value()));
    last_sample = sample;
    last_sample_time = now;
    memory_bytes->Set(sample.resident_bytes);
    process_resident->Set(sample.resident_bytes);
    process_virtual->Set(sample.virtual_bytes);
    process_start->Set(sample.start_time_seconds);
    process_fds->Set(open_fds());
    process_max_fds->Set(max_fds());
    if (sources.active_connections) active_connections->Set(static_cast<double>(sources.active_connections()));
    if (sources.sessions) sessions_gauge->Set(static_cast<double>(sources.sessions()));
    if (sources.dropped_log_lines) {
      auto const dropped = static_cast<double>(sources.dropped_log_lines());
      if (dropped > dropped_logs->Value()) dropped_logs->Increment(dropped - dropped_logs->Value());
    }
    if (sources.coroutine_failures) {
      auto const failed = static_cast<double>(sources.coroutine_failures());
      if (failed > coroutine_failures->Value()) coroutine_failures->Increment(failed - coroutine_failures->Value());
    }
  }

  MetricSources sources;
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  Family<Counter>& requests;
  Family<Histogram>& durations;
  Family<Counter>& tools;
  Family<Counter>& cache_hits;
  Family<Counter>& cache_misses;
  Family<Counter>& rate_limited_family;
  Family<Gauge>& breaker_states;
  Family<Counter>& breaker_calls;
  Family<Counter>& reloads;
  Family<Gauge>& health_status;
  Family<Gauge>& health_failures;
  Family<Counter>& upstream_requests;
  Family<Histogram>& upstream_durations;
  Family<Gauge>& upstream_up;
  Family<Counter>& upstream_restarts;
  Family<Gauge>& upstream_sessions;
  ChildCache<Counter> request_children;
  ChildCache<Histogram> duration_children;
  ChildCache<Counter> tool_children;
  ChildCache<Counter> rate_limited_children;
  ChildCache<Counter> cache_hit_children;
  ChildCache<Counter> cache_miss_children;
  ChildCache<Counter> breaker_call_children;
  Gauge* active_connections = nullptr;
  Gauge* sessions_gauge = nullptr;
  Gauge* ready_gauge = nullptr;
  Gauge* cpu_percent = nullptr;
  Gauge* memory_bytes = nullptr;
  Counter* dropped_logs = nullptr;
  Counter* coroutine_failures = nullptr;
  Counter* process_cpu = nullptr;
  Gauge* process_resident = nullptr;
  Gauge* process_virtual = nullptr;
  Gauge* process_start = nullptr;
  Gauge* process_fds = nullptr;
  Gauge* process_max_fds = nullptr;

  std::shared_mutex clients_mutex;
  std::set<std::string, std::less<>> known_clients;
  std::function<bool(std::string_view)> is_known_tool;

  std::mutex scrape_mutex;  // one scrape at a time: the CPU delta needs a single previous sample
  ProcessSample last_sample;
  std::chrono::steady_clock::time_point last_sample_time;
};

Metrics::Metrics(std::string version, MetricSources sources)
    : impl_(std::make_unique<Impl>(std::move(version), std::move(sources))) {}

Metrics::~Metrics() = default;

void Metrics::set_known_clients(std::vector<std::string> const& clients) {
  std::unique_lock lock(impl_->clients_mutex);
  // Clients removed by a reload keep their series; the set only grows, so it stays bounded by config.
  impl_->known_clients.insert(clients.begin(), clients.end());
}

void Metrics::set_tool_filter(std::function<bool(std::string_view)> is_known_tool) {
  std::unique_lock lock(impl_->clients_mutex);
  impl_->is_known_tool = std::move(is_known_tool);
}

void Metrics::observe_request(std::string_view method, std::string_view status, std::string_view client_id,
                              std::string_view version, std::string_view endpoint,
                              std::chrono::nanoseconds elapsed) {
  auto const m = bounded(kKnownMethods, method, "other");
  auto const s = bounded(kKnownStatuses, status, "other");
  auto const c = impl_->client_label(client_id);
  auto const v = bounded(kKnownVersions, version, "unknown");
  auto const e = bounded(kKnownEndpoints, endpoint, "other");
  impl_->request_children
      .get(child_key({m, s, c, v}),
           [&] {
             return prometheus::Labels{{"method", std::string(m)}, {"status", std::string(s)},
                                       {"client_id", std::string(c)}, {"version", std::string(v)}};
           })
      .Increment();
  static Histogram::BucketBoundaries const buckets(kRequestDurationBuckets.begin(), kRequestDurationBuckets.end());
  impl_->duration_children
      .get(child_key({m, e}), [&] { return prometheus::Labels{{"method", std::string(m)}, {"endpoint", std::string(e)}}; },
           buckets)
      .Observe(std::chrono::duration<double>(elapsed).count());
}

void Metrics::observe_tool(std::string_view tool, bool success) {
  std::string_view const outcome = success ? "true" : "false";
  // Known tools are found by their own name without asking the catalog again; unknown names are
  // never remembered, so they cannot grow the cache.
  if (auto* known = impl_->tool_children.find(child_key({tool, outcome}))) return known->Increment();
  auto const label = impl_->tool_label(tool);
  impl_->tool_children
      .get(child_key({label, outcome}),
           [&] { return prometheus::Labels{{"tool_name", std::string(label)}, {"success", std::string(outcome)}}; })
      .Increment();
}

void Metrics::cache_lookup(std::string_view type, bool hit) {
  (hit ? impl_->cache_hit_children : impl_->cache_miss_children)
      .get(type, [&] { return prometheus::Labels{{"type", std::string(type)}}; })
      .Increment();
}

void Metrics::rate_limited(std::string_view client_id) {
  auto const c = impl_->client_label(client_id);
  impl_->rate_limited_children.get(c, [&] { return prometheus::Labels{{"client_id", std::string(c)}}; }).Increment();
}

void Metrics::breaker_state(std::string_view circuit, resilience::CircuitBreaker::State state) {
  impl_->breaker_states.Add({{"circuit_name", std::string(circuit)}}).Set(static_cast<double>(state));
}

void Metrics::breaker_call(std::string_view circuit, resilience::CircuitBreaker::State state,
                           std::string_view outcome) {
  auto const state_label = resilience::state_name(state);
  impl_->breaker_call_children
      .get(child_key({circuit, state_label, outcome}),
           [&] {
             return prometheus::Labels{{"circuit_name", std::string(circuit)},
                                       {"state", std::string(state_label)},
                                       {"outcome", std::string(outcome)}};
           })
      .Increment();
}

void Metrics::config_reload(bool success) {
  impl_->reloads.Add({{"result", success ? "success" : "failure"}}).Increment();
}

std::string Metrics::serialize() {
  std::lock_guard lock(impl_->scrape_mutex);
  impl_->refresh();
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, impl_->registry->Collect());
  return out.str();
}

void Metrics::health_check(std::string_view check, std::string_view status, int consecutive_failures) {
  double const value = status == "healthy" ? 1.0 : status == "degraded" ? 0.5 : 0.0;
  impl_->health_status.Add({{"check", std::string(check)}}).Set(value);
  impl_->health_failures.Add({{"check", std::string(check)}}).Set(consecutive_failures);
}

void Metrics::set_ready(bool ready) { impl_->ready_gauge->Set(ready ? 1 : 0); }

// Upstream names come from the config, methods from the gateway's own calls: both are bounded.
void Metrics::observe_upstream(std::string_view upstream, std::string_view method, std::string_view status,
                               std::chrono::nanoseconds elapsed) {
  impl_->upstream_requests
      .Add({{"upstream", std::string(upstream)}, {"method", std::string(method)}, {"status", std::string(status)}})
      .Increment();
  static Histogram::BucketBoundaries const buckets(kRequestDurationBuckets.begin(), kRequestDurationBuckets.end());
  impl_->upstream_durations.Add({{"upstream", std::string(upstream)}}, buckets)
      .Observe(std::chrono::duration<double>(elapsed).count());
}

void Metrics::upstream_state(std::string_view upstream, bool up, std::int64_t sessions) {
  impl_->upstream_up.Add({{"upstream", std::string(upstream)}}).Set(up ? 1 : 0);
  impl_->upstream_sessions.Add({{"upstream", std::string(upstream)}}).Set(static_cast<double>(sessions));
}

void Metrics::upstream_restarted(std::string_view upstream) {
  impl_->upstream_restarts.Add({{"upstream", std::string(upstream)}}).Increment();
}

void Metrics::declare_upstream(std::string_view upstream) {
  impl_->upstream_restarts.Add({{"upstream", std::string(upstream)}});
  // At 0 from the start: a series born at its first failure has no earlier sample, so rate() and
  // increase() would miss that failure.
  for (auto const* method : {"tools/call", "resources/read", "prompts/get", "ping"})
    for (auto const* status : {"ok", "error", "failed", "cancelled"})
      impl_->upstream_requests.Add({{"upstream", std::string(upstream)}, {"method", method}, {"status", status}});
  upstream_state(upstream, false, 0);
}

}  // namespace prodmcp::ops
