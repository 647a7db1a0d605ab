#pragma once
// The admin port's routes: /metrics (Prometheus text), /health (liveness), /ready (readiness),
// /logs (the log stream with a replay of recent lines, for consoles attached to a running server),
// /faults (demo fault switches: added latency, an error rate and an armed crashing tool, refused in
// the production profile),
// /config (the effective config now, secrets masked, for the console's diff against its editor),
// /upstreams (the gateway's upstreams as they are now), /upstreams/restart (POST
// {"upstream": NAME}: end an upstream's child and start it again at once), /trace (both legs of
// the latest proxied calls, ?after=SEQ&limit=N).
// Everything but /metrics, /health and /ready is protected (ops/admin_access.hpp).
#include "http/http_exchange.hpp"
#include "ops/admin_access.hpp"
#include "ops/metrics.hpp"
#include "ops/probes.hpp"

#include <boost/json/array.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace prodmcp::ops {

// Runtime fault injection for demos, behind the admin port.
struct FaultSwitch {
  struct Faults {
    std::int64_t latency_ms = 0;
    double error_rate = 0;
    bool crash_tool = false;  // simulate_crash ends the process when called
  };
  bool allowed = false;  // false in the production profile
  std::function<Faults()> get;
  std::function<void(Faults)> set;
};

// The gateway's upstreams, for /upstreams; unset for a server without upstreams.
struct UpstreamControl {
  std::function<boost::json::array()> describe;
  // Restarts the named upstream; false when there is none of that name.
  std::function<bool(std::string const& name, std::string const& why)> restart;
  // The proxied calls after sequence number `after` (Gateway::trace).
  std::function<boost::json::object(std::uint64_t after, std::size_t limit)> trace;
};

class AdminEndpoint final : public http::Handler {
 public:
  AdminEndpoint(Metrics& metrics, Readiness const& readiness, AdminAccess const& access, FaultSwitch faults = {},
                std::function<std::string()> running_config = {}, UpstreamControl upstreams = {})
      : metrics_(metrics),
        readiness_(readiness),
        access_(access),
        faults_(std::move(faults)),
        running_config_(std::move(running_config)),
        upstreams_(std::move(upstreams)) {}
  asio::awaitable<void> serve(http::Exchange& exchange) override;
  // /logs readers connected now (a drain lets them read the last lines before the server stops).
  int log_streams() const { return log_streams_.load(); }

 private:
  asio::awaitable<void> stream_logs(http::Exchange& exchange);
  http::Response faults(http::Exchange& exchange);
  http::Response restart_upstream(http::Exchange& exchange);
  http::Response trace(std::string_view target) const;

  Metrics& metrics_;
  Readiness const& readiness_;
  AdminAccess const& access_;
  FaultSwitch const faults_;
  std::function<std::string()> const running_config_;  // print-config's JSON of the running settings
  UpstreamControl const upstreams_;
  std::atomic<int> log_streams_{0};
};

}  // namespace prodmcp::ops
