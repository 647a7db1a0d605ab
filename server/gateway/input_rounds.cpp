#include "gateway/input_rounds.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <atomic>
#include <deque>
#include <optional>
#include <vector>

#include "gateway/client_relay.hpp"
#include "protocol/engine.hpp"
#include "util/random.hpp"

namespace prodmcp::gateway {

namespace {

namespace rpc = protocol::error_code;
using protocol::RpcError;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kStateKind = "gateway-input-round";
// An upstream that needs several answers asks for them one after another, within moments: the
// requests that arrive this close together go to the client in one round.
constexpr auto kGatherWindow = std::chrono::milliseconds(50);
// A finished call whose client never came back for the result, and a call left waiting for the
// client's answers, are given up after this long.
constexpr auto kUnclaimedLifetime = std::chrono::minutes(10);
constexpr std::size_t kMaxNotes = 256;
// Calls held at once (running, or waiting for their clients): clients that never come back
// cannot make the gateway hold more.
constexpr std::size_t kMaxCalls = 4096;

RpcError bad_state(std::string why) {
  return RpcError{rpc::kInvalidParams,
                  "requestState " + why + "; call again without requestState to start over"};
}

}  // namespace

struct InputRounds::Waiting : std::enable_shared_from_this<InputRounds::Waiting> {
  explicit Waiting(asio::any_io_executor executor) : executor(executor), wake(executor, 1) {}

  struct Input {
    std::string key, method;
    json::object params;
    ServerRequestReply reply;
  };

  std::string const id = util::unique_id();
  asio::any_io_executor executor;  // the upstream call's
  asio::experimental::concurrent_channel<void(boost::system::error_code)> wake;
  asio::cancellation_signal cancel;  // emitted on `executor` only

  std::mutex mutex;
  std::string client;
  std::shared_ptr<json::object const> client_capabilities;  // of the request that started it
  int round = 0;                     // input_required results given so far
  bool attached = false;             // a request of the client waits on it now
  // From a round given to the client until its answers come: see CallHooks::waits_for_client.
  std::shared_ptr<std::atomic<bool>> const waits_for_client = std::make_shared<std::atomic<bool>>(false);
  Clock::time_point idle_since = Clock::now();
  std::vector<Input> inputs;  // asked by the upstream, not answered yet
  int next_key = 0;
  std::deque<json::object> notes;  // {"progress": params} or {"log": params}, for the next waiter
  bool finished = false;
  std::optional<json::object> result;
  std::optional<RpcError> error;

  void poke() { wake.try_send(boost::system::error_code{}); }

  void note(std::string_view kind, json::object params) {
    {
      std::lock_guard lock(mutex);
      if (notes.size() == kMaxNotes) notes.pop_front();
      notes.push_back(json::object{{kind, std::move(params)}});
    }
    poke();
  }

  void asked(std::string const& method, json::object params, ServerRequestReply reply) {
    auto const capability = protocol::client_request_capability(method);
    if (capability.empty())
      return reply.refuse(
          RpcError{rpc::kMethodNotFound, "the gateway does not forward \"" + method + "\" to clients"});
    {
      std::lock_guard lock(mutex);
      if (!client_capabilities || !client_capabilities->contains(capability))
        return reply.refuse(
            RpcError{rpc::kMissingClientCapability,
                     "the client did not declare the \"" + std::string(capability) + "\" capability that " +
                         method + " needs (_meta[\"io.modelcontextprotocol/clientCapabilities\"])",
                     json::object{{"requiredCapabilities", json::object{{capability, json::object{}}}}}});
      inputs.push_back(Input{key_for(capability, params), method, std::move(params), std::move(reply)});
    }
    poke();
  }

  // The upstream's own key when it named one (a prodmcp-server upstream does) and it is free,
  // or one made here; the key's mark leaves the params the client sees. Under `mutex`.
  std::string key_for(std::string_view capability, json::object& params) {
    std::string key;
    if (auto* meta = params.if_contains("_meta"); meta && meta->is_object()) {
      if (auto const* named = meta->get_object().if_contains(protocol::kInputKeyMeta);
          named && named->is_string())
        key = named->get_string();
      meta->get_object().erase(protocol::kInputKeyMeta);
      if (meta->get_object().empty()) params.erase("_meta");
    }
    auto const taken = [&](std::string const& candidate) {
      return std::any_of(inputs.begin(), inputs.end(),
                         [&](Input const& input) { return input.key == candidate; });
    };
    while (key.empty() || taken(key)) key = std::string(capability) + "-" + std::to_string(++next_key);
    return key;
  }

  void end(std::optional<json::object> value, std::optional<RpcError> failure) {
    std::vector<Input> unanswered;
    {
      std::lock_guard lock(mutex);
      finished = true;
      idle_since = Clock::now();
      result = std::move(value);
      error = std::move(failure);
      unanswered.swap(inputs);
    }
    poke();
  }

  void stop() {
    asio::post(executor,
               [self = shared_from_this()] { self->cancel.emit(asio::cancellation_type::terminal); });
  }
};

std::size_t InputRounds::waiting() const {
  std::lock_guard lock(mutex_);
  return calls_.size();
}

void InputRounds::close() {
  std::map<std::string, std::shared_ptr<Waiting>> calls;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    calls.swap(calls_);
  }
  for (auto const& [id, waiting] : calls) waiting->stop();
}

void InputRounds::forget(std::string const& id) {
  std::lock_guard lock(mutex_);
  calls_.erase(id);
}

void InputRounds::purge() {
  auto const now = Clock::now();
  std::lock_guard lock(mutex_);
  for (auto it = calls_.begin(); it != calls_.end();) {
    auto& waiting = *it->second;
    std::lock_guard call_lock(waiting.mutex);
    if (!waiting.attached && now - waiting.idle_since > kUnclaimedLifetime) {
      if (!waiting.finished) waiting.stop();  // the upstream is told to cancel
      it = calls_.erase(it);
    } else {
      ++it;
    }
  }
}

std::shared_ptr<InputRounds::Waiting> InputRounds::start(protocol::RequestContext& context, CallHooks hooks,
                                                         Call call) {
  auto waiting = std::make_shared<Waiting>(context.executor);
  waiting->client = context.client_id;
  waiting->client_capabilities = context.client_capabilities;
  waiting->attached = true;
  hooks.progress = [waiting](json::object const& params) -> asio::awaitable<void> {
    waiting->note("progress", params);
    co_return;
  };
  hooks.log = [waiting](json::object const& params) -> asio::awaitable<void> {
    waiting->note("log", params);
    co_return;
  };
  hooks.waits_for_client = waiting->waits_for_client;
  hooks.deferred_server_request = [waiting](std::string const& method, json::object params,
                                            ServerRequestReply reply) {
    waiting->asked(method, std::move(params), std::move(reply));
  };
  {
    std::lock_guard lock(mutex_);
    if (closed_) throw RpcError{rpc::kInternalError, "the gateway is shutting down"};
    if (calls_.size() >= kMaxCalls)
      throw RpcError{rpc::kInternalError,
                     "the gateway holds " + std::to_string(kMaxCalls) +
                         " calls of 2026-07-28 clients already (many wait for answers that "
                         "have not come); try again later"};
    calls_[waiting->id] = waiting;
  }
  auto run = [](std::shared_ptr<Waiting> waiting, CallHooks hooks, Call call) -> asio::awaitable<void> {
    std::optional<RpcError> failure;
    try {
      auto result = co_await call(hooks);
      waiting->end(std::move(result), std::nullopt);
      co_return;
    } catch (RpcError const& error) {
      failure = error;
    } catch (boost::system::system_error const& error) {
      failure = RpcError{rpc::kInternalError, error.code() == asio::error::operation_aborted
                                                  ? std::string("the call was cancelled")
                                                  : std::string("internal error: ") + error.what()};
    } catch (std::exception const& error) {
      failure = RpcError{rpc::kInternalError, std::string("internal error: ") + error.what()};
    }
    waiting->end(std::nullopt, std::move(failure));
  };
  asio::co_spawn(waiting->executor, run(waiting, std::move(hooks), std::move(call)),
                 asio::bind_cancellation_slot(waiting->cancel.slot(), [](std::exception_ptr) {}));
  return waiting;
}

std::shared_ptr<InputRounds::Waiting> InputRounds::resume(protocol::RequestContext const& context,
                                                          std::string_view token) {
  auto const state = codec_.open(token);
  if (!state) throw bad_state("failed verification (altered, forged or expired)");
  auto const* kind = state->if_contains("kind");
  auto const* id = state->if_contains("call");
  auto const* round = state->if_contains("round");
  if (!kind || !kind->is_string() || kind->get_string() != kStateKind || !id || !id->is_string() || !round ||
      !round->is_int64())
    throw bad_state("was not made by this gateway");
  std::shared_ptr<Waiting> waiting;
  {
    std::lock_guard lock(mutex_);
    if (auto it = calls_.find(std::string(id->get_string())); it != calls_.end()) waiting = it->second;
  }
  if (!waiting)
    throw bad_state(
        "names a call that no longer waits here (it ended, was given up, or another replica holds it)");

  auto const* responses = context.params.if_contains("inputResponses");
  if (responses && !responses->is_object())
    throw RpcError{rpc::kInvalidParams,
                   "inputResponses must be an object: the answers by the keys of inputRequests"};
  std::lock_guard lock(waiting->mutex);
  if (waiting->client != context.client_id) throw bad_state("belongs to another client");
  if (waiting->round != round->get_int64())
    throw bad_state("is from round " + std::to_string(round->get_int64()) +
                    " of this call, which is at round " + std::to_string(waiting->round) +
                    " (use the latest requestState)");
  if (waiting->attached) throw bad_state("names a call another request is continuing");
  if (responses)
    for (auto const& input : waiting->inputs)
      if (auto const* answer = responses->get_object().if_contains(input.key); answer && !answer->is_object())
        throw RpcError{rpc::kInvalidParams,
                       "inputResponses." + input.key + " must be an object: the result of " + input.method};
  waiting->attached = true;
  waiting->waits_for_client->store(false);
  if (responses) {
    std::erase_if(waiting->inputs, [&](Waiting::Input const& input) {
      auto const* answer = responses->get_object().if_contains(input.key);
      if (!answer) return false;  // asked again in the next round
      input.reply.answer(answer->get_object());
      return true;
    });
  }
  return waiting;
}

asio::awaitable<json::object> InputRounds::serve(protocol::RequestContext& context, CallHooks hooks,
                                                 Call call) {
  purge();
  auto const token = protocol::string_param(context.params, "requestState");
  auto waiting = token ? resume(context, *token) : start(context, std::move(hooks), std::move(call));
  struct Detach {
    Waiting& waiting;
    ~Detach() {
      std::lock_guard lock(waiting.mutex);
      waiting.attached = false;
      waiting.idle_since = Clock::now();
    }
  } detach{*waiting};
  std::optional<json::object> outcome;
  bool cancelled = false;
  try {
    outcome = co_await next_round(context, waiting);
  } catch (boost::system::system_error const& error) {
    if (error.code() != asio::error::operation_aborted) throw;
    cancelled = true;
  }
  if (cancelled) {
    // The client gave up on this round (cancelled it, or went away): the upstream is told to cancel.
    waiting->stop();
    forget(waiting->id);
    throw boost::system::system_error(asio::error::operation_aborted);
  }
  co_return std::move(*outcome);
}

asio::awaitable<json::object> InputRounds::next_round(protocol::RequestContext& context,
                                                      std::shared_ptr<Waiting> waiting) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer gather(context.executor);
  std::size_t seen = 0;            // inputs when the gather window last opened
  Clock::time_point gather_until;  // when this round asks for what has come
  for (;;) {
    std::deque<json::object> notes;
    bool finished = false;
    std::size_t inputs = 0;
    {
      std::lock_guard lock(waiting->mutex);
      notes.swap(waiting->notes);
      finished = waiting->finished;
      inputs = waiting->inputs.size();
    }
    for (auto const& note : notes) {
      if (auto const* progress = note.if_contains("progress"))
        co_await relay_progress(context, progress->get_object());
      else if (auto const* log = note.if_contains("log"))
        co_await relay_log(context, log->get_object());
    }
    if (finished) {
      forget(waiting->id);
      std::lock_guard lock(waiting->mutex);
      if (waiting->error) throw *waiting->error;
      co_return std::move(*waiting->result);
    }
    if (inputs > seen) {
      seen = inputs;
      gather_until = Clock::now() + kGatherWindow;
    }
    if (inputs > 0 && Clock::now() >= gather_until) {
      // Nothing more came within the window: this round asks for all of it.
      json::object requests;
      json::object state{{"kind", kStateKind}, {"call", waiting->id}};
      {
        std::lock_guard lock(waiting->mutex);
        for (auto const& input : waiting->inputs)
          requests[input.key] = json::object{{"method", input.method}, {"params", input.params}};
        state["round"] = ++waiting->round;
        waiting->waits_for_client->store(true);
      }
      co_return protocol::input_required_result(std::move(requests), codec_.seal(state));
    }
    if (inputs > 0) {
      gather.expires_at(gather_until);
      co_await (waiting->wake.async_receive(asio::as_tuple(asio::use_awaitable)) ||
                gather.async_wait(asio::as_tuple(asio::use_awaitable)));
    } else {
      co_await waiting->wake.async_receive(asio::as_tuple(asio::use_awaitable));
    }
    if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none)
      throw boost::system::system_error(asio::error::operation_aborted);
  }
}

}  // namespace prodmcp::gateway
