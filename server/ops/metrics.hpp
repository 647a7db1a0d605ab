#pragma once
// The server's Prometheus metrics. Names and labels are a contract with dashboards, alert rules
// and the console: change them only together. Label values that clients choose (method, client,
// tool, version) are folded into a bounded set, so a hostile client cannot create new series.
// prometheus-cpp stays in metrics.cpp.
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "resilience/circuit_breaker.hpp"

namespace prodmcp::ops {

// Histogram buckets of mcp_request_duration_seconds, in seconds.
inline constexpr std::array<double, 11> kRequestDurationBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                                0.5,   1,    2.5,   5,    10};

// Values read at scrape time from the parts that own them.
struct MetricSources {
  std::function<std::int64_t()> active_connections;
  std::function<std::int64_t()> sessions;
  std::function<std::uint64_t()> dropped_log_lines;
  std::function<std::uint64_t()> coroutine_failures;
};

class Metrics {
 public:
  explicit Metrics(std::string version, MetricSources sources = {});
  ~Metrics();
  Metrics(Metrics const&) = delete;
  Metrics& operator=(Metrics const&) = delete;

  // Client ids that get their own label value (the configured clients); others count as "other".
  void set_known_clients(std::vector<std::string> const& clients);
  // Tool names that get their own label value; others count as "other".
  void set_tool_filter(std::function<bool(std::string_view)> is_known_tool);

  // One JSON-RPC request. `status`: "ok", "error" (JSON-RPC error) or "cancelled".
  void observe_request(std::string_view method, std::string_view status, std::string_view client_id,
                       std::string_view version, std::string_view endpoint, std::chrono::nanoseconds elapsed);
  void observe_tool(std::string_view tool, bool success);
  void cache_lookup(std::string_view type, bool hit);  // type: "memory" or "redis"
  void rate_limited(std::string_view client_id);
  // circuit_breaker_state is the State's value: 0 closed, 1 open, 2 half-open.
  void breaker_state(std::string_view circuit, resilience::CircuitBreaker::State state);
  void breaker_call(std::string_view circuit, resilience::CircuitBreaker::State state, std::string_view outcome);
  void config_reload(bool success);
  // The periodic readiness run: each check's status (1 healthy, 0.5 degraded, 0 unhealthy) and
  // failed runs in a row; readiness as a whole (1/0).
  void health_check(std::string_view check, std::string_view status, int consecutive_failures);
  void set_ready(bool ready);

  // The gateway's upstream servers. `status`: "ok", "error", "failed" or "cancelled".
  void declare_upstream(std::string_view upstream);  // its series exist from the start, at 0
  void observe_upstream(std::string_view upstream, std::string_view method, std::string_view status,
                        std::chrono::nanoseconds elapsed);
  void upstream_state(std::string_view upstream, bool up, std::int64_t sessions);
  void upstream_restarted(std::string_view upstream);

  // The exposition text (version 0.0.4), with process and scrape-time values refreshed.
  std::string serialize();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace prodmcp::ops
