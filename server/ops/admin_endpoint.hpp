#pragma once
// The admin port's routes: /metrics (Prometheus text), /health (liveness), /ready (readiness),
// /logs (the log stream with a replay of recent lines, for consoles attached to a running server).
#include "http/http_exchange.hpp"
#include "ops/metrics.hpp"
#include "ops/probes.hpp"

#include <atomic>

namespace prodmcp::ops {

class AdminEndpoint final : public http::Handler {
 public:
  AdminEndpoint(Metrics& metrics, Readiness const& readiness) : metrics_(metrics), readiness_(readiness) {}
  asio::awaitable<void> serve(http::Exchange& exchange) override;
  // /logs readers connected now (a drain lets them read the last lines before the server stops).
  int log_streams() const { return log_streams_.load(); }

 private:
  asio::awaitable<void> stream_logs(http::Exchange& exchange);

  Metrics& metrics_;
  Readiness const& readiness_;
  std::atomic<int> log_streams_{0};
};

}  // namespace prodmcp::ops
