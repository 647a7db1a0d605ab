#pragma once
// One MCP client session with a remote Streamable HTTP server (revision 2025-03-26 and later):
// each request a POST whose answer is one JSON message or an event stream carrying the call's
// progress, log messages and server requests before its response; the session id the server
// gave at initialize on every request after it; answers and notifications POSTed back. An HTTP
// 404 for the session means the server forgot it: the connection ends, as a child's exit does,
// and whoever owns it starts a new session. Keep-alive connections are pooled by the server's
// HttpEndpoint, which all sessions with it share.
#include <map>
#include <memory>
#include <string>

#include "gateway/connection.hpp"

namespace prodmcp::gateway {

// What every session with one remote server shares: its address, the TLS setup (made once, the
// system's CAs loaded once), and kept-alive connections, pooled per io_context so a call's I/O
// stays on its thread.
class HttpEndpoint {
 public:
  // http://host[:port]/path or https://...; throws std::invalid_argument for a URL it cannot use.
  explicit HttpEndpoint(std::string url);
  ~HttpEndpoint();
  HttpEndpoint(HttpEndpoint const&) = delete;
  HttpEndpoint& operator=(HttpEndpoint const&) = delete;
  std::string const& url() const;
  // Closes the kept-alive connections and keeps none from now on. Call it before the io_contexts
  // that made calls are destroyed.
  void close();

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

class HttpConnection final : public Connection {
 public:
  struct Options {
    std::shared_ptr<HttpEndpoint> endpoint;
    std::map<std::string, std::string> headers;  // sent on every request (values already expanded)
    std::size_t max_message_bytes = 64 << 20;
    // Keep a GET stream open for what the server sends on its own (list_changed, resource updates).
    bool listen = false;
    // Continue a session that was initialized before (by another replica): what resume_token()
    // returned there. Empty: the first request must be initialize.
    std::string resume;
  };

  // Its own I/O (the GET stream, answers, DELETE) runs on `executor` (one thread); a call's, on the
  // caller's.
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
