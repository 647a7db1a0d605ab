#pragma once
// One MCP client session with a remote Streamable HTTP server (revision 2025-03-26 and later):
// each request a POST whose answer is one JSON message or an event stream carrying the call's
// progress, log messages and server requests before its response; the session id the server
// gave at initialize on every request after it; answers and notifications POSTed back. An HTTP
// 404 for the session means the server forgot it: the connection ends, as a child's exit does,
// and whoever owns it starts a new session. Keep-alive connections are pooled.
#include <map>
#include <memory>
#include <string>

#include "gateway/connection.hpp"

namespace prodmcp::gateway {

class HttpConnection final : public Connection {
 public:
  struct Options {
    std::string url;  // http://host[:port]/path
    std::map<std::string, std::string> headers;  // sent on every request (values already expanded)
    std::size_t max_message_bytes = 64 << 20;
    // Keep a GET stream open for what the server sends on its own (list_changed, resource updates).
    bool listen = false;
    // Continue a session that was initialized before (by another replica): what resume_token()
    // returned there. Empty: the first request must be initialize.
    std::string resume;
  };

  // Its I/O runs on `executor` (one thread). Throws std::invalid_argument for a URL it cannot use.
  static std::shared_ptr<HttpConnection> open(asio::any_io_executor executor, Options options, Events events);
  ~HttpConnection() override;

  asio::awaitable<json::object> request(std::string method, json::object params, std::chrono::milliseconds timeout,
                                        CallHooks const& hooks) override;
  void notify(std::string method, json::object params) override;
  bool alive() const override;
  std::size_t in_flight() const override;
  // Deletes the session on the server (best effort, within `grace`) and ends this connection.
  void stop(std::chrono::milliseconds grace) override;
  json::object identity() const override;
  void detach(std::chrono::milliseconds grace) override;
  // The session id and revision; empty before initialize answered.
  std::string resume_token() const override;

  struct State;

 private:
  explicit HttpConnection(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

}  // namespace prodmcp::gateway
