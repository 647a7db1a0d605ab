#include "ops/admin_endpoint.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>
#include <charconv>
#include <optional>
#include <variant>

#include "http/http_listener.hpp"
#include "logging/log.hpp"
#include "logging/recent_lines.hpp"

namespace prodmcp::ops {

namespace {

constexpr std::size_t kDefaultReplay = 200;
constexpr std::size_t kBatchLines = 512;
constexpr std::size_t kTraceLimit = 500;
constexpr auto kLogPollInterval = std::chrono::milliseconds(200);

// Responses are built by functions, not braced temporaries in co_await (GCC 12 miscompiles those).
http::Response method_not_allowed() {
  auto response = http::json_response(405, R"({"error":"use GET"})");
  response.headers.emplace_back("Allow", "GET, HEAD");
  return response;
}

http::Response text_response(std::string body) {
  http::Response response;
  response.status = 200;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = std::move(body);
  return response;
}

http::Response bad_query(std::string_view problem) {
  return http::json_response(400, boost::json::serialize(boost::json::object{{"error", problem}}));
}

// The value of `name` in the target's query string; nullopt when absent.
std::optional<std::string_view> query_value(std::string_view target, std::string_view name) {
  auto const question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  auto query = target.substr(question + 1);
  while (!query.empty()) {
    auto const amp = query.find('&');
    auto const pair = query.substr(0, amp);
    auto const eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
  }
  return std::nullopt;
}

struct LogStreamRequest {
  std::size_t replay = kDefaultReplay;
  bool follow = true;
  std::string problem;
};

LogStreamRequest parse_log_stream_request(std::string_view target) {
  LogStreamRequest request;
  if (auto const replay = query_value(target, "replay")) {
    auto const [end, error] = std::from_chars(replay->data(), replay->data() + replay->size(), request.replay);
    if (error != std::errc() || end != replay->data() + replay->size())
      request.problem = "replay must be a number of lines, e.g. /logs?replay=500";
  }
  if (auto const follow = query_value(target, "follow")) {
    if (*follow == "0" || *follow == "false") request.follow = false;
    else if (*follow != "1" && *follow != "true") request.problem = "follow must be 1 or 0";
  }
  return request;
}

// The JSON object a PUT or POST carries, or the answer refusing it (`example` shows what to send).
// Only JSON: a web page can send a form or text/plain without asking first, but not JSON.
std::variant<boost::json::object, http::Response> json_object_body(http::Exchange& exchange, std::string_view example) {
  if (!http::is_json_content_type(exchange.header("Content-Type")))
    return http::json_response(415, boost::json::serialize(boost::json::object{
                                        {"error", "send Content-Type: application/json, e.g. " + std::string(example)}}));
  boost::system::error_code parse_error;
  auto body = boost::json::parse(exchange.body(), parse_error);
  if (parse_error || !body.is_object()) return bad_query("send a JSON object, e.g. " + std::string(example));
  return std::move(body.as_object());
}

}  // namespace

asio::awaitable<void> AdminEndpoint::serve(http::Exchange& exchange) {
  auto const path = exchange.path();
  bool const open = path == "/metrics" || path == "/health" || path == "/ready";
  if (!open)
    if (auto refusal = access_.refusal(exchange)) co_return co_await exchange.respond(std::move(*refusal));
  if (path == "/faults") co_return co_await exchange.respond(faults(exchange));
  if (path == "/upstreams/restart") co_return co_await exchange.respond(restart_upstream(exchange));
  if (exchange.method() != "GET" && exchange.method() != "HEAD") co_return co_await exchange.respond(method_not_allowed());
  if (path == "/trace") co_return co_await exchange.respond(trace(exchange.target()));
  if (path == "/upstreams") {
    boost::json::object body{{"upstreams", upstreams_.describe ? upstreams_.describe() : boost::json::array{}}};
    co_return co_await exchange.respond(http::json_response(200, boost::json::serialize(body)));
  }
  if (path == "/metrics") co_return co_await exchange.respond(text_response(metrics_.serialize()));
  if (path == "/health") co_return co_await exchange.respond(http::json_response(200, boost::json::serialize(health_body())));
  if (path == "/logs") co_return co_await stream_logs(exchange);
  if (path == "/config") {
    if (!running_config_) co_return co_await exchange.respond(http::json_response(404, R"({"error":"no config to show"})"));
    co_return co_await exchange.respond(http::json_response(200, running_config_()));
  }
  auto report = co_await readiness_.evaluate();
  auto response = http::json_response(report.ready ? 200 : 503, boost::json::serialize(report.body));
  co_await exchange.respond(std::move(response));
}

// GET: the faults now; PUT {"latency_ms": N, "error_rate": x, "crash_tool": b}: set them (each
// optional; zero or false turns a fault off). Only outside the production profile.
http::Response AdminEndpoint::faults(http::Exchange& exchange) {
  auto const state = [&] {
    auto const now = faults_.get ? faults_.get() : FaultSwitch::Faults{};
    return boost::json::object{{"allowed", faults_.allowed},
                               {"enabled", now.latency_ms > 0 || now.error_rate > 0},
                               {"latency_ms", now.latency_ms},
                               {"error_rate", now.error_rate},
                               {"crash_tool", now.crash_tool}};
  };
  if (exchange.method() == "GET") return http::json_response(200, boost::json::serialize(state()));
  if (exchange.method() != "PUT" && exchange.method() != "POST") {
    auto response = http::json_response(405, R"({"error":"use GET to read the faults, PUT to set them"})");
    response.headers.emplace_back("Allow", "GET, PUT");
    return response;
  }
  if (!faults_.allowed || !faults_.set)
    return http::json_response(403, R"({"error":"fault injection is refused in the production profile"})");
  auto body = json_object_body(exchange, R"({"latency_ms": 200, "error_rate": 0.1})");
  if (auto* refusal = std::get_if<http::Response>(&body)) return std::move(*refusal);
  auto next = faults_.get();
  auto const& fields = std::get<boost::json::object>(body);
  for (auto const& [key, value] : fields) {
    if (key == "latency_ms") {
      if (!value.is_int64() || value.as_int64() < 0 || value.as_int64() > 60'000)
        return bad_query("latency_ms must be a whole number of milliseconds from 0 to 60000");
      next.latency_ms = value.as_int64();
    } else if (key == "error_rate") {
      if (!value.is_number() || value.to_number<double>() < 0 || value.to_number<double>() > 1)
        return bad_query("error_rate must be a number from 0 to 1");
      next.error_rate = value.to_number<double>();
    } else if (key == "crash_tool") {
      if (!value.is_bool()) return bad_query("crash_tool must be true or false");
      next.crash_tool = value.as_bool();
    } else {
      return bad_query("unknown field \"" + std::string(key) + "\"; use latency_ms, error_rate and crash_tool");
    }
  }
  faults_.set(next);
  logging::write(logging::Level::kWarning, "admin", "faults_changed",
                 boost::json::object{{"latency_ms", next.latency_ms}, {"error_rate", next.error_rate},
                                     {"crash_tool", next.crash_tool}});
  return http::json_response(200, boost::json::serialize(state()));
}

// POST {"upstream": NAME}: the upstream's child ends and starts again at once (202).
http::Response AdminEndpoint::restart_upstream(http::Exchange& exchange) {
  if (exchange.method() != "POST") {
    auto response = http::json_response(405, R"({"error":"use POST with {\"upstream\": NAME}"})");
    response.headers.emplace_back("Allow", "POST");
    return response;
  }
  auto body = json_object_body(exchange, R"({"upstream": "notes"})");
  if (auto* refusal = std::get_if<http::Response>(&body)) return std::move(*refusal);
  auto const& fields = std::get<boost::json::object>(body);
  auto const* name = fields.if_contains("upstream");
  if (!name || !name->is_string() || fields.size() != 1)
    return bad_query(R"(send {"upstream": NAME} and nothing else, NAME as GET /upstreams lists it)");
  std::string const upstream(name->get_string());
  if (!upstreams_.restart || !upstreams_.restart(upstream, "asked on the admin port")) {
    boost::json::array known;
    if (upstreams_.describe)
      for (auto const& one : upstreams_.describe()) known.push_back(one.at("name"));
    return http::json_response(404, boost::json::serialize(boost::json::object{
                                        {"error", "no upstream \"" + upstream + "\""}, {"upstreams", std::move(known)}}));
  }
  logging::write(logging::Level::kWarning, "admin", "upstream_restart", boost::json::object{{"upstream", upstream}});
  return http::json_response(202, boost::json::serialize(boost::json::object{{"restarting", upstream}}));
}

// GET /trace?after=SEQ&limit=N: the proxied calls after SEQ (0: the oldest kept), at most N (500).
http::Response AdminEndpoint::trace(std::string_view target) const {
  std::uint64_t after = 0;
  std::size_t limit = kTraceLimit;
  auto const number = [](std::optional<std::string_view> text, auto& out) {
    if (!text) return true;
    auto const [end, error] = std::from_chars(text->data(), text->data() + text->size(), out);
    return error == std::errc() && end == text->data() + text->size();
  };
  if (!number(query_value(target, "after"), after) || !number(query_value(target, "limit"), limit) || limit == 0)
    return bad_query("after and limit must be whole numbers, e.g. /trace?after=120&limit=100 (limit 1 to 500)");
  limit = std::min(limit, kTraceLimit);
  auto body = upstreams_.trace ? upstreams_.trace(after, limit)
                               : boost::json::object{{"calls", boost::json::array{}}, {"next", 0}, {"skipped", 0}};
  return http::json_response(200, boost::json::serialize(body));
}

// The log as newline-delimited lines: the last `replay` lines, then (with follow) each new line
// within a poll interval, until the client leaves or the server drains. A reader too slow for the
// buffer gets a log_lines_skipped line saying how many it missed.
asio::awaitable<void> AdminEndpoint::stream_logs(http::Exchange& exchange) {
  auto const request = parse_log_stream_request(exchange.target());
  if (!request.problem.empty()) co_return co_await exchange.respond(bad_query(request.problem));
  auto const& recent = logging::recent_lines();
  std::uint64_t cursor = recent.replay_from(request.replay);
  http::Headers headers{{"Cache-Control", "no-cache"}, {"X-Content-Type-Options", "nosniff"}};
  if (!co_await exchange.begin_stream(200, "application/x-ndjson; charset=utf-8", std::move(headers))) co_return;
  ++log_streams_;
  struct Leave {
    std::atomic<int>& count;
    ~Leave() { --count; }
  } const leave{log_streams_};
  asio::steady_timer timer(exchange.executor());
  std::string chunk;
  bool last_round = false;
  for (;;) {
    auto batch = recent.since(cursor, kBatchLines);
    cursor = batch.next;
    chunk.clear();
    if (batch.skipped > 0)
      chunk += R"({"timestamp":")" + logging::utc_timestamp() +
               R"(","level":"warning","logger":"admin","event":"log_lines_skipped","count":)" +
               std::to_string(batch.skipped) + "}\n";
    for (auto const& line : batch.lines) (chunk += line) += '\n';
    if (!chunk.empty() && !co_await exchange.write(chunk)) co_return;
    if (batch.lines.size() == kBatchLines) continue;  // more waiting
    if (!request.follow || last_round) break;
    if (readiness_.draining()) {
      // The reader should see why the stream ends: write out what is queued (shutting_down), send
      // it, then end. Blocks this worker for at most one log batch, once, at shutdown.
      logging::flush();
      last_round = true;
      continue;
    }
    timer.expires_after(kLogPollInterval);
    co_await timer.async_wait(asio::use_awaitable);
  }
  co_await exchange.end_stream();
}

}  // namespace prodmcp::ops
