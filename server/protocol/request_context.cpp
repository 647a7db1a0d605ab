#include "protocol/request_context.hpp"

#include "protocol/jsonrpc.hpp"
#include "protocol/session.hpp"

namespace prodmcp::protocol {

asio::awaitable<void> RequestContext::notify(std::string_view method, json::object params) {
  if (!channel) co_return;
  co_await channel->send(make_notification(method, std::move(params)));
}

asio::awaitable<void> RequestContext::progress(double value, std::optional<double> total, std::string_view message) {
  if (progress_token.is_null()) co_return;
  json::object params;
  params["progressToken"] = progress_token;
  // Whole numbers go out as integers ("50", not "5E1"): clients and logs read them more easily.
  auto number = [](double v) -> json::value {
    if (v == static_cast<double>(static_cast<std::int64_t>(v))) return static_cast<std::int64_t>(v);
    return v;
  };
  params["progress"] = number(value);
  if (total) params["total"] = number(*total);
  if (!message.empty() && revision >= Revision::k2025_03_26) params["message"] = message;
  co_await notify("notifications/progress", std::move(params));
}

asio::awaitable<void> RequestContext::log(LogLevel level, std::string_view logger, json::value data) {
  // Stateless requests log only when they asked to; sessions log unless setLevel raised the bar.
  if (stateless() && !log_level) co_return;
  if (log_level && level < *log_level) co_return;
  json::object params;
  params["level"] = to_string(level);
  if (!logger.empty()) params["logger"] = logger;
  params["data"] = std::move(data);
  co_await notify("notifications/message", std::move(params));
}

asio::awaitable<json::object> RequestContext::ask_client(std::string_view method, json::object params,
                                                         std::string_view required_capability,
                                                         std::chrono::milliseconds timeout) {
  if (!required_capability.empty() && !client_has_capability(required_capability))
    throw RpcError{error_code::kInvalidParams, "the client did not declare the \"" + std::string(required_capability) +
                                                   "\" capability that " + std::string(method) + " needs"};
  if (!session || !channel)
    throw RpcError{error_code::kInternalError,
                   "this request cannot carry a server-to-client request (no session or no stream)"};
  auto [request_id, pending] = session->expect_reply(executor);
  struct Forget {  // announcing or sending may fail before wait_reply takes over
    Session& session;
    std::string const& id;
    ~Forget() { session.forget_reply(id); }
  } const forget{*session, request_id};
  co_await session->announce_reply(request_id, timeout);
  json::object request;
  request["jsonrpc"] = "2.0";
  request["id"] = request_id;
  request["method"] = method;
  request["params"] = std::move(params);
  co_await channel->send(std::move(request));
  auto response = co_await session->wait_reply(request_id, std::move(pending), timeout);
  if (!response)
    throw RpcError{error_code::kInternalError, "the client did not answer " + std::string(method) + " within " +
                                                   std::to_string(timeout.count()) + " ms"};
  if (auto const* error = response->if_contains("error"); error && error->is_object()) {
    // The client's own code and data stay: a gateway's -32021 (missing capability) must reach
    // the client behind it as that, not as an internal error.
    auto const& e = error->get_object();
    auto const* message = e.if_contains("message");
    auto const* code = e.if_contains("code");
    throw RpcError{code && code->is_int64() ? static_cast<int>(code->get_int64()) : error_code::kInternalError,
                   "the client refused " + std::string(method) + ": " +
                       (message && message->is_string() ? std::string(message->get_string()) : "no reason given"),
                   e.contains("data") ? e.at("data") : json::value(nullptr)};
  }
  auto* result = response->if_contains("result");
  if (!result || !result->is_object())
    throw RpcError{error_code::kInternalError, "the client's answer to " + std::string(method) + " has no result"};
  co_return std::move(result->get_object());
}

std::string_view client_request_capability(std::string_view method) {
  if (method == "sampling/createMessage") return "sampling";
  if (method == "elicitation/create") return "elicitation";
  if (method == "roots/list") return "roots";
  return {};
}

}  // namespace prodmcp::protocol
