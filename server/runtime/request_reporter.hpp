#pragma once
// Turns every served request into one log line (and metrics, when wired): JSON-RPC requests as the
// engine reports them, and HTTP exchanges refused before reaching the engine.
#include "http/http_exchange.hpp"
#include "logging/log_budget.hpp"
#include "ops/metrics.hpp"
#include "protocol/engine.hpp"

namespace prodmcp::runtime {

class RequestReporter final : public protocol::RequestObserver, public http::ExchangeObserver {
 public:
  explicit RequestReporter(ops::Metrics* metrics = nullptr) : metrics_(metrics) {}
  void on_request(protocol::RequestOutcome const& outcome) override;
  void on_exchange(http::Exchange& exchange, int status, std::chrono::steady_clock::duration elapsed) override;

 private:
  ops::Metrics* metrics_;
  // request_rejected lines: anyone can cause them, so at most this many a second are written.
  logging::LogBudget rejected_lines_{50};
};

}  // namespace prodmcp::runtime
