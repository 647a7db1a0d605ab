#include "runtime/request_reporter.hpp"

#include "logging/log.hpp"

namespace prodmcp::runtime {

namespace json = boost::json;

namespace {

double milliseconds(std::chrono::steady_clock::duration elapsed) {
  return std::chrono::duration<double, std::milli>(elapsed).count();
}

}  // namespace

void RequestReporter::on_request(protocol::RequestOutcome const& outcome) {
  using logging::Level;
  if (metrics_) {
    std::string_view const status = outcome.cancelled ? "cancelled" : outcome.error_code != 0 ? "error" : "ok";
    metrics_->observe_request(outcome.method, status, outcome.client_id, protocol::to_string(outcome.revision),
                              outcome.endpoint, outcome.elapsed);
    if (!outcome.tool.empty())
      metrics_->observe_tool(outcome.tool, !outcome.cancelled && outcome.error_code == 0 && !outcome.tool_error);
  }
  auto const level = outcome.error_code == protocol::error_code::kInternalError ? Level::kError : Level::kInfo;
  if (!logging::enabled(level)) return;
  json::object fields;
  fields.reserve(10);
  fields["correlation_id"] = outcome.correlation_id;
  fields["method"] = outcome.method;
  if (!outcome.tool.empty()) fields["tool"] = outcome.tool;
  fields["client_id"] = outcome.client_id;
  if (!outcome.session_id.empty()) fields["session"] = outcome.session_id;
  fields["version"] = protocol::to_string(outcome.revision);
  fields["endpoint"] = outcome.endpoint;
  if (outcome.cancelled) {
    fields["status"] = "cancelled";
  } else if (outcome.error_code != 0) {
    fields["status"] = "error";
    fields["error_code"] = outcome.error_code;
  } else {
    fields["status"] = outcome.tool_error ? "tool_error" : "ok";
  }
  fields["duration_ms"] = milliseconds(outcome.elapsed);
  logging::write(level, "mcp", "request", std::move(fields));
}

void RequestReporter::on_exchange(http::Exchange& exchange, int status, std::chrono::steady_clock::duration elapsed) {
  auto const& notes = exchange.notes();
  if (notes.dispatched || status < 400) return;
  auto const client = notes.client_id.empty() ? std::string_view("anonymous") : std::string_view(notes.client_id);
  // Refused before the engine (auth, rate limit, bad HTTP): still requests, with an unknown method.
  if (metrics_) metrics_->observe_request("other", "error", client, "unknown", "/mcp", elapsed);
  if (!logging::enabled(logging::Level::kWarning)) return;
  json::object fields;
  fields["correlation_id"] = notes.correlation_id;
  fields["http_method"] = exchange.method();
  fields["path"] = exchange.path();
  fields["client_id"] = client;
  fields["remote"] = exchange.remote_address();
  fields["status"] = status;
  fields["duration_ms"] = milliseconds(elapsed);
  logging::write(logging::Level::kWarning, "http", "request_rejected", std::move(fields));
}

}  // namespace prodmcp::runtime
