#include "runtime/request_reporter.hpp"

#include <array>

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
  std::string_view const status = outcome.cancelled        ? "cancelled"
                                  : outcome.error_code != 0 ? "error"
                                  : outcome.tool_error      ? "tool_error"
                                                            : "ok";
  std::array<logging::Field, 12> fields;
  std::size_t n = 0;
  fields[n++] = {"correlation_id", outcome.correlation_id};
  fields[n++] = {"method", outcome.method};
  if (!outcome.tool.empty()) fields[n++] = {"tool", outcome.tool};
  if (!outcome.upstream.empty()) fields[n++] = {"upstream", outcome.upstream};
  fields[n++] = {"client_id", outcome.client_id};
  if (!outcome.session_id.empty()) fields[n++] = {"session", outcome.session_id};
  fields[n++] = {"version", protocol::to_string(outcome.revision)};
  fields[n++] = {"endpoint", outcome.endpoint};
  fields[n++] = {"status", status};
  if (outcome.error_code != 0) fields[n++] = {"error_code", std::int64_t{outcome.error_code}};
  fields[n++] = {"duration_ms", milliseconds(outcome.elapsed)};
  logging::write_fields(level, "mcp", "request", std::span(fields.data(), n));
}

void RequestReporter::on_exchange(http::Exchange& exchange, int status, std::chrono::steady_clock::duration elapsed) {
  auto const& notes = exchange.notes();
  if (notes.dispatched || status < 400) return;
  auto const client = notes.client_id.empty() ? std::string_view("anonymous") : std::string_view(notes.client_id);
  // Refused before the engine (auth, rate limit, bad HTTP): still requests, with an unknown method.
  if (metrics_) metrics_->observe_request("other", "error", client, "unknown", "/mcp", elapsed);
  if (!logging::enabled(logging::Level::kWarning)) return;
  auto const left_out = rejected_lines_.admit();
  if (!left_out) return;
  json::object fields;
  fields["correlation_id"] = notes.correlation_id;
  fields["http_method"] = exchange.method();
  fields["path"] = exchange.path();
  fields["client_id"] = client;
  fields["remote"] = exchange.remote_address();
  fields["status"] = status;
  fields["duration_ms"] = milliseconds(elapsed);
  if (*left_out > 0) fields["left_out"] = *left_out;  // request_rejected lines over the budget before this one
  logging::write(logging::Level::kWarning, "http", "request_rejected", std::move(fields));
}

}  // namespace prodmcp::runtime
