#pragma once
// Calls of 2026-07-28 clients that wait for the client's input. Such a client cannot be sent a
// request, so when an upstream of the session revisions asks for sampling, elicitation or roots
// during its call, the call goes on without the client: the client gets an input_required result
// naming what was asked and a sealed requestState, and its retry with inputResponses answers the
// upstream and waits for what comes next (the result, or another round).
//
// A waiting call lives in this process: a retry that reaches another replica is refused with a
// clear error (the upstream's call, on a child's pipes or an HTTP stream, is this replica's).
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "gateway/connection.hpp"
#include "protocol/request_context.hpp"
#include "protocol/request_state.hpp"

namespace prodmcp::gateway {

class InputRounds {
 public:
  // The upstream call: made once, with hooks that reach the waiting call, never the request
  // context of one round (the call outlives it).
  using Call = std::function<asio::awaitable<json::object>(CallHooks const& hooks)>;

  explicit InputRounds(protocol::RequestStateCodec const& codec) : codec_(codec) {}
  InputRounds(InputRounds const&) = delete;
  InputRounds& operator=(InputRounds const&) = delete;

  // One request of a 2026-07-28 client: with no requestState a new call (`call` with `hooks` as
  // the base: owner, correlation id, retryable), with this gateway's requestState the next round
  // of the call it names. The call's result, or input_required. Throws RpcError: -32602 for a
  // requestState that is altered, stale or names no waiting call, or for a malformed answer;
  // the upstream's own errors pass through.
  asio::awaitable<json::object> serve(protocol::RequestContext& context, CallHooks hooks, Call call);

  std::size_t waiting() const;  // calls held, for tests and the log

  // At shutdown, before the io_contexts the calls run on go: every call held is given up (its
  // upstream told to cancel) and no new one starts.
  void close();

  struct Waiting;

 private:
  std::shared_ptr<Waiting> start(protocol::RequestContext& context, CallHooks hooks, Call call);
  std::shared_ptr<Waiting> resume(protocol::RequestContext const& context, std::string_view token);
  asio::awaitable<json::object> next_round(protocol::RequestContext& context,
                                           std::shared_ptr<Waiting> waiting);
  void forget(std::string const& id);
  void purge();

  protocol::RequestStateCodec const& codec_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Waiting>> calls_;
  bool closed_ = false;
};

}  // namespace prodmcp::gateway
