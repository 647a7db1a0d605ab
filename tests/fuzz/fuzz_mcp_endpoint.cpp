// The MCP endpoint's serve path (/mcp) through a fake exchange: HTTP checks, JSON-RPC framing,
// sessions, revisions and the engine with the built-in tools. An input is one or more requests
// separated by a line "---"; each is a method line ("POST"), header lines ("Name: value", where
// "$session" stands for the last Mcp-Session-Id the endpoint gave), an empty line and the body.
// Every request must get exactly one well-formed answer, whatever it is.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "fuzz_target.hpp"
#include "http/http_listener.hpp"
#include "http/mcp_endpoint.hpp"
#include "protocol/engine.hpp"
#include "tools/builtin_tools.hpp"

namespace {

namespace asio = boost::asio;
namespace http = prodmcp::http;
namespace json = boost::json;

class FakeExchange final : public http::Exchange {
 public:
  explicit FakeExchange(asio::any_io_executor executor) : executor_(std::move(executor)) {}

  std::string method_ = "POST";
  std::string target_ = "/mcp";
  http::Headers headers_;
  std::string body_;

  std::optional<http::Response> response;
  bool streamed = false;
  bool stream_ended = false;
  int stream_status = 0;
  http::Headers stream_headers;
  std::string stream_body;
  int writes_left = 16;  // then the client is gone, so no stream waits forever

  http::ExchangeNotes& notes() override { return notes_; }
  std::string_view method() const override { return method_; }
  std::string_view target() const override { return target_; }
  std::string_view path() const override { return std::string_view(target_).substr(0, target_.find('?')); }
  std::string_view header(std::string_view name) const override {
    for (auto const& [key, value] : headers_)
      if (http::iequals(key, name)) return value;
    return {};
  }
  bool has_header(std::string_view name) const override {
    for (auto const& [key, value] : headers_)
      if (http::iequals(key, name)) return true;
    return false;
  }
  std::string_view body() const override { return body_; }
  std::string_view remote_address() const override { return "127.0.0.1"; }
  asio::any_io_executor executor() const override { return executor_; }

  asio::awaitable<void> respond(http::Response answer) override {
    if (response || streamed) __builtin_trap();  // one answer per request
    response = std::move(answer);
    co_return;
  }
  asio::awaitable<bool> begin_stream(int status, std::string_view, http::Headers headers) override {
    if (response || streamed) __builtin_trap();
    streamed = true;
    stream_status = status;
    stream_headers = std::move(headers);
    co_return true;
  }
  asio::awaitable<bool> write(std::string_view chunk) override {
    if (!streamed || stream_ended) __builtin_trap();
    if (writes_left-- <= 0) co_return false;
    stream_body.append(chunk);
    co_return true;
  }
  asio::awaitable<void> end_stream() override {
    stream_ended = true;
    co_return;
  }
  void close_after() override {}

 private:
  asio::any_io_executor executor_;
  http::ExchangeNotes notes_;
};

struct Request {
  std::string method, target = "/mcp", body;
  http::Headers headers;
};

Request parse_request(std::string_view text, std::string const& session) {
  Request request;
  auto next_line = [&] {
    auto const end = text.find('\n');
    auto const line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    return line;
  };
  request.method = next_line();
  for (auto line = next_line(); !line.empty(); line = next_line()) {
    auto const colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    request.headers.emplace_back(std::string(line.substr(0, colon)), value == "$session" ? session : std::string(value));
  }
  request.body = text;
  return request;
}

// A body the endpoint sends as JSON must be JSON.
void check_json(std::string_view content_type, std::string_view body) {
  if (!content_type.starts_with("application/json") || body.empty()) return;
  boost::system::error_code error;
  (void)json::parse(body, error);
  if (error) __builtin_trap();
}

}  // namespace

PRODMCP_FUZZ_TARGET(mcp_endpoint) {
  auto text = prodmcp::fuzz::as_text(data, size);
  // Declared first, destroyed last: the io_context below ends its coroutines while these exist.
  prodmcp::protocol::Catalog catalog;
  prodmcp::tools::add_builtin_tools(catalog, [] { return json::object{{"ok", true}}; });
  prodmcp::protocol::SessionRegistry sessions(64);
  prodmcp::protocol::Engine engine(prodmcp::protocol::EngineOptions{}, catalog, sessions);
  http::McpEndpointOptions options;
  options.origins = http::OriginPolicy(true, {});
  options.keepalive_interval = std::chrono::milliseconds(1);
  http::McpEndpoint endpoint(engine, options);
  asio::io_context io;

  std::string session;
  for (int requests = 0; !text.empty() && requests < 16; ++requests) {
    auto const separator = text.find("\n---\n");
    auto const part = text.substr(0, separator);
    text.remove_prefix(separator == std::string_view::npos ? text.size() : separator + 5);
    auto request = parse_request(part, session);
    FakeExchange exchange(io.get_executor());
    exchange.method_ = request.method;
    exchange.headers_ = std::move(request.headers);
    exchange.body_ = std::move(request.body);
    bool served = false;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
      co_await endpoint.serve(exchange);
      served = true;
    }, asio::detached);
    // Tools that wait (slow, long-running) are cut off: the fuzzer is after the parsing.
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    io.restart();
    while (!served && std::chrono::steady_clock::now() < deadline) io.run_one_for(std::chrono::milliseconds(10));
    if (!served) break;  // a call still running; its coroutine ends with the io_context
    if (!exchange.response && !exchange.streamed) __builtin_trap();  // served without an answer
    int const status = exchange.response ? exchange.response->status : exchange.stream_status;
    if (status < 200 || status > 599) __builtin_trap();
    if (exchange.response) check_json(exchange.response->content_type, exchange.response->body);
    for (auto const& [name, value] : exchange.response ? exchange.response->headers : exchange.stream_headers) {
      if (value.find_first_of("\r\n") != std::string::npos) __builtin_trap();  // header injection
      if (http::iequals(name, "Mcp-Session-Id")) session = value;
    }
  }
  // As the server ends: sessions close (their waits for client answers with them) while the
  // io_context their channels belong to still exists.
  sessions.close_all();
  io.restart();
  io.poll();
  return 0;
}
