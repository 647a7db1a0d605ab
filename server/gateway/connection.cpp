#include "gateway/connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <atomic>
#include <optional>

#include "logging/detached_failure.hpp"

namespace prodmcp::gateway {

namespace rpc = protocol::error_code;
using protocol::RpcError;

CallHooks const& no_hooks() {
  static CallHooks const hooks;
  return hooks;
}

struct ServerRequestReply::State {
  json::value id;
  std::function<void(json::object)> send;
  std::atomic<bool> replied{false};
};

ServerRequestReply::ServerRequestReply(json::value id, std::function<void(json::object)> send)
    : state_(std::make_shared<State>()) {
  state_->id = std::move(id);
  state_->send = std::move(send);
}

void ServerRequestReply::answer(json::object result) const {
  if (!state_->replied.exchange(true)) state_->send(protocol::make_result(state_->id, std::move(result)));
}

void ServerRequestReply::refuse(protocol::RpcError const& error) const {
  if (!state_->replied.exchange(true)) state_->send(protocol::make_error(state_->id, error));
}

void answer_unsolicited(asio::any_io_executor executor,
                        std::function<asio::awaitable<json::object>(std::string const&, json::object)> ask,
                        json::object message, std::function<void(json::object)> send) {
  auto run = [](decltype(ask) ask, json::object message, std::function<void(json::object)> send)
      -> asio::awaitable<void> {
    auto const id = message.at("id");
    std::string const method(message.at("method").get_string());
    json::object params;
    if (auto* p = message.if_contains("params"); p && p->is_object()) params = std::move(p->get_object());
    std::optional<RpcError> refused;
    try {
      send(protocol::make_result(id, co_await ask(method, std::move(params))));
    } catch (RpcError const& error) {
      refused = error;
    }
    if (refused) send(protocol::make_error(id, *refused));
  };
  asio::co_spawn(executor, run(std::move(ask), std::move(message), std::move(send)), logging::LogFailure{"upstream_request_answer"});
}

json::object transport_failure_message(std::string text, bool retryable) {
  return json::object{{"transport_failure", std::move(text)}, {"retryable", retryable}};
}

json::object outgoing_request(std::string const& method, std::int64_t id, json::object params, CallHooks const& hooks) {
  if (auto* meta = params.if_contains("_meta"); meta && meta->is_object()) meta->get_object().erase("progressToken");
  if (hooks.progress) {
    auto& meta = params["_meta"];
    if (!meta.is_object()) meta = json::object{};
    meta.get_object()["progressToken"] = id;
  }
  return json::object{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

asio::awaitable<json::object> await_answer(Inbox& inbox, std::string const& method, std::int64_t id,
                                           std::chrono::milliseconds timeout, CallHooks const& hooks,
                                           std::function<void(json::object)> const& send) {
  using namespace asio::experimental::awaitable_operators;
  auto cancel_upstream = [&](std::string reason) {
    send(protocol::make_notification("notifications/cancelled",
                                     json::object{{"requestId", id}, {"reason", std::move(reason)}}));
  };
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(timeout);
  for (;;) {
    auto outcome = co_await (inbox.async_receive(asio::as_tuple(asio::use_awaitable)) ||
                             timer.async_wait(asio::as_tuple(asio::use_awaitable)));
    auto const cancelled = (co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none;
    if (cancelled) {
      cancel_upstream("the client cancelled the request");
      throw boost::system::system_error(asio::error::operation_aborted);
    }
    if (outcome.index() == 1) {
      cancel_upstream("the gateway's timeout for this upstream passed");
      throw TransportFailure{{rpc::kInternalError, "the upstream server did not answer " + method + " within " +
                                                       std::to_string(timeout.count()) +
                                                       " ms (timeout_ms); it was told to cancel the request"},
                             false};
    }
    auto& [ec, message] = std::get<0>(outcome);
    if (ec) throw TransportFailure{{rpc::kInternalError, "the call to the upstream server ended without an answer"}};
    if (auto const* failure = message.if_contains("transport_failure"); failure && failure->is_string()) {
      auto const* retryable = message.if_contains("retryable");
      throw TransportFailure{{rpc::kInternalError, std::string(failure->get_string())},
                             !retryable || !retryable->is_bool() || retryable->get_bool()};
    }
    if (auto const* m = message.if_contains("method"); m && m->is_string()) {
      std::string const name(m->get_string());
      json::object call_params;
      if (auto* p = message.if_contains("params"); p && p->is_object()) call_params = std::move(p->get_object());
      if (!message.contains("id")) {
        if (name == "notifications/message") {
          if (hooks.log) co_await hooks.log(call_params);
        } else if (name == "notifications/progress" && hooks.progress) {
          call_params.erase("progressToken");
          co_await hooks.progress(call_params);
        }
        continue;
      }
      auto const request_id = message.at("id");
      if (hooks.deferred_server_request) {
        hooks.deferred_server_request(name, std::move(call_params), ServerRequestReply(request_id, send));
        continue;
      }
      if (!hooks.server_request) {
        send(protocol::make_error(request_id, rpc::kMethodNotFound,
                                  "the client of this call cannot be asked " + name + " through the gateway"));
        continue;
      }
      std::optional<RpcError> refused;
      try {
        auto result = co_await hooks.server_request(name, std::move(call_params));
        send(protocol::make_result(request_id, std::move(result)));
      } catch (RpcError const& error) {
        refused = error;
      }
      if (refused) send(protocol::make_error(request_id, *refused));
      continue;
    }
    if (auto const* error = message.if_contains("error"); error && error->is_object()) {
      auto const& e = error->get_object();
      auto const* code = e.if_contains("code");
      auto const* text = e.if_contains("message");
      RpcError failure{code && code->is_int64() ? static_cast<int>(code->get_int64()) : rpc::kInternalError,
                       text && text->is_string() ? std::string(text->get_string()) : "the upstream server failed",
                       e.contains("data") ? e.at("data") : json::value(nullptr)};
      throw failure;
    }
    auto* result = message.if_contains("result");
    if (!result || !result->is_object())
      throw RpcError{rpc::kInternalError, "the upstream server answered " + method + " without a result object"};
    co_return std::move(result->get_object());
  }
}

}  // namespace prodmcp::gateway
