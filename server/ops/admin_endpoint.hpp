#pragma once
// The admin port's routes: /metrics (Prometheus text), /health (liveness), /ready (readiness),
// /logs (the log stream with a replay of recent lines, for consoles attached to a running server).
#include "http/http_exchange.hpp"
#include "ops/metrics.hpp"
#include "ops/probes.hpp"

namespace prodmcp::ops {

class AdminEndpoint final : public http::Handler {
 public:
  AdminEndpoint(Metrics& metrics, Readiness const& readiness) : metrics_(metrics), readiness_(readiness) {}
  asio::awaitable<void> serve(http::Exchange& exchange) override;

 private:
  asio::awaitable<void> stream_logs(http::Exchange& exchange);

  Metrics& metrics_;
  Readiness const& readiness_;
};

}  // namespace prodmcp::ops
