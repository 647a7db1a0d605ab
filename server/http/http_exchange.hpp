#pragma once
// One HTTP request and the means to answer it, without Beast: endpoints (MCP, probes, metrics)
// are written against this, and only the listener's translation unit includes Beast.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace prodmcp::http {

namespace asio = boost::asio;

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Response {
  int status = 200;
  std::string content_type;  // empty: no Content-Type (and usually no body)
  std::string body;
  Headers headers;
};

// What the endpoint learned about a request, for the access log, metrics and response headers.
struct ExchangeNotes {
  std::string correlation_id;  // echoed as X-Correlation-ID and in JSON-RPC error data
  std::string client_id;       // the authenticated client, or "anonymous"
  std::string rate_bucket;     // whose rate limit it draws from: the client id, or "address:..."
  bool dispatched = false;     // the request reached the protocol engine, which reports it itself
  std::chrono::steady_clock::time_point received{};  // the whole request had been read
};

class Exchange {
 public:
  virtual ~Exchange() = default;

  virtual ExchangeNotes& notes() = 0;

  virtual std::string_view method() const = 0;  // "GET", "POST", ...
  virtual std::string_view target() const = 0;  // path and query
  virtual std::string_view path() const = 0;    // target without the query
  // The value of a header (case-insensitive name); empty when absent.
  virtual std::string_view header(std::string_view name) const = 0;
  virtual bool has_header(std::string_view name) const = 0;
  virtual std::string_view body() const = 0;
  virtual std::string_view remote_address() const = 0;
  virtual asio::any_io_executor executor() const = 0;

  // Answers with one complete response.
  virtual asio::awaitable<void> respond(Response response) = 0;

  // Answers with a stream (SSE): headers first, then chunks, then the end. write() returns false
  // once the client is gone. The connection stays usable for keep-alive after end_stream().
  virtual asio::awaitable<bool> begin_stream(int status, std::string_view content_type, Headers headers) = 0;
  virtual asio::awaitable<bool> write(std::string_view chunk) = 0;
  virtual asio::awaitable<void> end_stream() = 0;
  // Close the connection after this exchange (no keep-alive).
  virtual void close_after() = 0;
};

// Told about every exchange a listener finished: for access logs of requests the engine never saw
// (rejected by HTTP-level checks).
class ExchangeObserver {
 public:
  virtual ~ExchangeObserver() = default;
  virtual void on_exchange(Exchange& exchange, int status, std::chrono::steady_clock::duration elapsed) = 0;
};

// Serves the requests of one path (or prefix) on a listener.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual asio::awaitable<void> serve(Exchange& exchange) = 0;
};

}  // namespace prodmcp::http
