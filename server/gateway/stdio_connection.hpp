#pragma once
// One MCP client session with a stdio server the gateway started: newline-delimited JSON-RPC on
// the child's pipes. Requests get ids of this connection (never a client's), progress tokens are
// this connection's too, and what the server sends about a call (progress, sampling/elicitation
// requests) reaches the coroutine that made the call. When the child exits, every call in flight
// fails at once with the exit and the last lines it wrote to stderr.
#include <memory>

#include "gateway/child_process.hpp"
#include "gateway/connection.hpp"

namespace prodmcp::gateway {

class StdioConnection final : public Connection {
 public:
  // Starts the child; its I/O runs on `executor` (one thread). Throws std::runtime_error when the
  // child cannot be started.
  static std::shared_ptr<StdioConnection> start(asio::any_io_executor executor, ChildSpec const& spec,
                                                std::size_t max_line_bytes, Events events);
  ~StdioConnection() override;

  asio::awaitable<json::object> request(std::string method, json::object params, std::chrono::milliseconds timeout,
                                        CallHooks const& hooks) override;
  void notify(std::string method, json::object params) override;
  bool alive() const override;
  std::size_t in_flight() const override;
  // Closes its stdin, then SIGTERM to its group, then SIGKILL after `grace`.
  void stop(std::chrono::milliseconds grace) override;
  json::object identity() const override;
  pid_t pid() const;

  struct State;

 private:
  explicit StdioConnection(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

}  // namespace prodmcp::gateway
