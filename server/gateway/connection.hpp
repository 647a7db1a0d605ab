#pragma once
// One MCP client session of the gateway with an upstream server, whatever carries it (a stdio
// child's pipes, Streamable HTTP). Requests get ids of this connection (never a client's),
// progress tokens are this connection's too, and what the server sends about a call (progress,
// log messages, sampling/elicitation requests) reaches the coroutine that made the call.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/json/object.hpp>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/jsonrpc.hpp"

namespace prodmcp::gateway {

namespace asio = boost::asio;
namespace json = boost::json;

// The upstream could not serve the call at all (no answer in time, it exited, it does not read):
// unlike its own JSON-RPC errors, this counts against its circuit breaker.
struct TransportFailure : protocol::RpcError {
  bool retryable = true;  // false for a timeout: the server may still be working on it
};

// The way back for one server-to-client request: its answer, or its refusal, goes to the server
// that asked. Callable from any thread, later than the request arrived; the first call counts.
class ServerRequestReply {
 public:
  ServerRequestReply(json::value id, std::function<void(json::object)> send);
  void answer(json::object result) const;
  void refuse(protocol::RpcError const& error) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// What a call does with messages the server sends while serving it. They run in the calling
// coroutine, so they may use its request context.
class UpstreamLegs;  // gateway/call_trace.hpp

struct CallHooks {
  std::function<asio::awaitable<void>(json::object const& progress_params)> progress;
  // A log message (notifications/message params) the server sent while this call ran.
  std::function<asio::awaitable<void>(json::object const& log_params)> log;
  // A server-to-client request bound to this call (sampling, elicitation, roots): the JSON-RPC
  // result, or throws protocol::RpcError for an error answer.
  std::function<asio::awaitable<json::object>(std::string const& method, json::object params)> server_request;
  // Instead of server_request, for a caller that answers later (a 2026-07-28 client's next
  // round): takes each request as it comes, without holding up the rest of the call's messages.
  std::function<void(std::string const& method, json::object params, ServerRequestReply reply)> deferred_server_request;
  std::string owner;    // who made the call: what the server sends goes to calls of one owner
  // True while the call waits for its client to answer a round it was given (a 2026-07-28
  // client's input_required): it asks nothing more until then, so on a transport that does not
  // say which call a message belongs to (stdio), it is not this call's. Null: never waits so.
  std::shared_ptr<std::atomic<bool> const> waits_for_client;
  std::string session;  // the client's session id; empty on the stateless revision
  std::string correlation_id;  // sent as X-Correlation-ID where the transport has headers
  // url upstreams: the remote session this client session has (from whichever replica started
  // it), and where the gateway writes down one it starts; empty without a client session.
  std::function<std::optional<std::string>()> remote_session;
  std::function<void(std::string const&)> remember_remote_session;
  bool retryable = false;  // read-only or idempotent: tried again after the upstream failed to answer
  std::shared_ptr<UpstreamLegs> legs;  // where the upstream leg of a traced call is written; may be null
};

// Hooks for a call nobody waits on but the gateway itself (initialize, lists, ping). A named
// object: GCC 12 miscompiles braced temporaries inside co_await expressions.
CallHooks const& no_hooks();

// How a connection ended: a child's exit, or a remote server that forgot the session.
struct ConnectionEnd {
  std::string description;  // "exit code 3", "signal 9 (Killed)", "HTTP 404 for session 1a2b3c4d"
  bool failed = false;
  json::object fields;  // for the log: code, signal, stderr_tail (the lines joined by " | "), ...
  std::vector<std::string> stderr_lines{};  // a child's last stderr lines, oldest first
};

class Connection {
 public:
  struct Events {
    std::function<void(json::object const& notification)> notification;  // not about a call
    std::function<void(std::string_view line)> stderr_line;
    std::function<void(ConnectionEnd const& end)> exited;  // once, before alive() turns false
    std::function<void(std::string_view problem)> protocol_problem;  // garbage on stdout, ...
    // A server-to-client request no call in flight can take (roots/list right after initialize):
    // the result, or throws protocol::RpcError. Unset: such requests are refused.
    std::function<asio::awaitable<json::object>(std::string const& method, json::object params)> unsolicited_request;
  };

  virtual ~Connection() = default;

  // A request; returns the JSON-RPC result. Throws protocol::RpcError for the server's error answer
  // (its code and message), TransportFailure (-32603) for no answer within `timeout` (the server
  // is told to cancel) or the connection's end (naming it). When the caller is cancelled the server
  // gets notifications/cancelled. Callable from any thread.
  virtual asio::awaitable<json::object> request(std::string method, json::object params,
                                                std::chrono::milliseconds timeout, CallHooks const& hooks) = 0;
  virtual void notify(std::string method, json::object params) = 0;
  virtual bool alive() const = 0;
  virtual std::size_t in_flight() const = 0;
  // Ends the session: a child gets its stdin closed, SIGTERM, SIGKILL after `grace`; a remote
  // session is deleted. Returns at once; `exited` follows.
  virtual void stop(std::chrono::milliseconds grace) = 0;
  // Ends this gateway's part only, for a session other replicas may still use: a remote session
  // is left to them (not deleted); a child, which is this replica's alone, is stopped.
  virtual void detach(std::chrono::milliseconds grace) { stop(grace); }
  // What another replica needs to continue this session (a remote session's id and revision);
  // empty for a child, which cannot be shared.
  virtual std::string resume_token() const { return {}; }
  // Log fields that say which one this is: {"pid": ...} or {"url": ..., "upstream_session": ...}.
  virtual json::object identity() const = 0;
};

// Messages the server sent about one call, and a sentinel {"transport_failure": text,
// "retryable": bool} when the connection can no longer answer it.
using Inbox = asio::experimental::concurrent_channel<void(boost::system::error_code, json::object)>;
inline constexpr std::size_t kInboxCapacity = 256;
json::object transport_failure_message(std::string text, bool retryable);

// The request as sent upstream: this connection's id, and its own progress token when the caller
// wants progress (the client's token stays with the gateway).
json::object outgoing_request(std::string const& method, std::int64_t id, json::object params, CallHooks const& hooks);

// A server's request outside any call (`message`, with id and method), for a connection that
// belongs to one client: `ask` (Events::unsolicited_request) runs on `executor`, and its result or
// refusal goes back to the server through `send`.
void answer_unsolicited(asio::any_io_executor executor,
                        std::function<asio::awaitable<json::object>(std::string const&, json::object)> ask,
                        json::object message, std::function<void(json::object)> send);

// The calling side of one request, whatever the transport: waits on `inbox` for the answer to
// `method` sent as request `id`, passing progress and log notifications and server requests to
// `hooks` and what must go back to the server (answers, notifications/cancelled) to `send`.
asio::awaitable<json::object> await_answer(Inbox& inbox, std::string const& method, std::int64_t id,
                                           std::chrono::milliseconds timeout, CallHooks const& hooks,
                                           std::function<void(json::object)> const& send);

}  // namespace prodmcp::gateway
