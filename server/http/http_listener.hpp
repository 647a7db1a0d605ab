#pragma once
// The HTTP/1.1 server: accepts connections, reads requests within limits and hands each to the
// Handler of its path. Beast stays inside http_listener.cpp.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_exchange.hpp"
#include "runtime/worker_pool.hpp"

namespace prodmcp::http {

struct ListenerLimits {
  std::size_t max_body_bytes = 1 << 20;      // MAX_REQUEST_SIZE
  std::size_t max_header_bytes = 16 * 1024;  // request line and headers
  std::size_t max_connections = 10'000;      // beyond this: 503 and close
  // Beyond this many from one remote address: 503 and close (0: no such limit). Addresses in
  // `unlimited_addresses` (a load balancer, a trusted proxy) are not counted.
  std::size_t max_connections_per_address = 0;
  std::vector<std::string> unlimited_addresses;
  std::chrono::milliseconds header_timeout{10'000};  // a request's headers must arrive within this
  std::chrono::milliseconds body_timeout{30'000};
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive connection with no request
  std::chrono::milliseconds write_timeout{30'000};
};

class Listener {
 public:
  Listener(runtime::WorkerPool& pool, ListenerLimits limits);
  ~Listener();

  // Requests whose path equals `path` go to `handler`; others get 404.
  void route(std::string path, Handler& handler);
  // Set before listen(); told about every finished exchange.
  void observe(ExchangeObserver& observer);
  // Binds and starts accepting; returns the bound port (useful with port 0). Throws on failure.
  std::uint16_t listen(std::string const& address, std::uint16_t port);
  // Stops accepting connections.
  void stop();
  // Graceful shutdown: stops accepting, and each open connection closes after its current
  // response instead of waiting for another request.
  void begin_drain();
  std::size_t active_connections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// An IP address as the listener reports peers ("::ffff:1.2.3.4" stays so); other text as it is.
std::string canonical_address(std::string_view text);

// A JSON body with the right headers; shared by the endpoints for their error replies.
Response json_response(int status, std::string body);
// A header value without the spaces and tabs HTTP allows around it.
std::string_view trim(std::string_view text);
// ASCII case-insensitive equality, as HTTP compares header names, tokens and media types.
bool iequals(std::string_view a, std::string_view b);
// Whether a Content-Type is application/json (any case, parameters such as charset ignored).
bool is_json_content_type(std::string_view content_type);

}  // namespace prodmcp::http
