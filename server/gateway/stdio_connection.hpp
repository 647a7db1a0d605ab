#pragma once
// One MCP client session with a stdio server the gateway started: newline-delimited JSON-RPC on
// the child's pipes. Requests get ids of this connection (never a client's), progress tokens are
// this connection's too, and what the server sends about a call (progress, sampling/elicitation
// requests) reaches the coroutine that made the call. When the child exits, every call in flight
// fails at once with the exit and the last lines it wrote to stderr.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "gateway/child_process.hpp"
#include "protocol/jsonrpc.hpp"

namespace prodmcp::gateway {

namespace asio = boost::asio;
namespace json = boost::json;

// The upstream could not serve the call at all (no answer in time, it exited, it does not read):
// unlike its own JSON-RPC errors, this counts against its circuit breaker.
struct TransportFailure : protocol::RpcError {
  bool retryable = true;  // false for a timeout: the server may still be working on it
};

// What a call does with messages the server sends while serving it. Both run in the calling
// coroutine, so they may use its request context.
struct CallHooks {
  std::function<asio::awaitable<void>(json::object const& progress_params)> progress;
  // A log message (notifications/message params) the server sent while this call ran.
  std::function<asio::awaitable<void>(json::object const& log_params)> log;
  // A server-to-client request bound to this call (sampling, elicitation, roots): the JSON-RPC
  // result, or throws protocol::RpcError for an error answer.
  std::function<asio::awaitable<json::object>(std::string const& method, json::object params)> server_request;
  std::string owner;    // who made the call: what the server sends goes to calls of one owner
  std::string session;  // the client's session id; empty on the stateless revision
  bool retryable = false;  // read-only or idempotent: tried again after the upstream failed to answer
};

// Hooks for a call nobody waits on but the gateway itself (initialize, lists, ping). A named
// object: GCC 12 miscompiles braced temporaries inside co_await expressions.
CallHooks const& no_hooks();

class StdioConnection {
 public:
  struct Events {
    std::function<void(json::object const& notification)> notification;  // not about a call
    std::function<void(std::string_view line)> stderr_line;
    std::function<void(ChildExit const& exit, std::string const& stderr_tail)> exited;  // once
    std::function<void(std::string_view problem)> protocol_problem;  // garbage on stdout, ...
  };

  // Starts the child; its I/O runs on `executor` (one thread). Throws std::runtime_error when the
  // child cannot be started.
  static std::shared_ptr<StdioConnection> start(asio::any_io_executor executor, ChildSpec const& spec,
                                                std::size_t max_line_bytes, Events events);
  ~StdioConnection();

  // A request; returns the JSON-RPC result. Throws protocol::RpcError for the server's error answer
  // (its code and message), TransportFailure (-32603) for no answer within `timeout` (the server
  // is told to cancel) or the child's exit (naming it). When the caller is cancelled the server gets
  // notifications/cancelled. Callable from any thread.
  asio::awaitable<json::object> request(std::string method, json::object params, std::chrono::milliseconds timeout,
                                        CallHooks const& hooks);
  void notify(std::string method, json::object params);

  bool alive() const;
  std::size_t in_flight() const;
  pid_t pid() const;
  // Closes its stdin, then SIGTERM to its group, then SIGKILL after `grace`. Returns at once.
  void stop(std::chrono::milliseconds grace);

  struct State;

 private:
  explicit StdioConnection(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

}  // namespace prodmcp::gateway
