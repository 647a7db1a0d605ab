// Multi round-trip requests (2026-07-28) for the clients of the session revisions, which know no
// input_required result: the server asks them itself, as those revisions do, so a handler written
// once serves both eras.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "protocol/engine.hpp"

namespace prodmcp::protocol {

namespace {

constexpr int kMaxInputRounds = 16;

bool wants_input(json::object const& result) {
  auto const* type = result.if_contains("resultType");
  return type && type->is_string() && type->get_string() == "input_required";
}

}  // namespace

json::object input_required_result(json::object input_requests, std::string request_state) {
  json::object result;
  result["resultType"] = "input_required";
  result["inputRequests"] = std::move(input_requests);
  if (!request_state.empty()) result["requestState"] = std::move(request_state);
  return result;
}

json::object const* input_response(RequestContext const& context, std::string_view key) {
  auto const* responses = context.params.if_contains("inputResponses");
  if (!responses || !responses->is_object()) return nullptr;
  auto const* response = responses->get_object().if_contains(key);
  return response && response->is_object() ? &response->get_object() : nullptr;
}

bool may_ask_for_input(std::string_view method) {
  return method == "tools/call" || method == "prompts/get" || method == "resources/read";
}

// Every input request of a round goes out at once (the client may answer them in any order);
// one the client refuses is left out of inputResponses, and the handler decides what that means.
// When it refused them all, its first refusal is the answer.
asio::awaitable<json::object> Engine::answer_input_requests(RequestContext& context, Method method,
                                                            json::object result) {
  for (int round = 0; wants_input(result); ++round) {
    if (round == kMaxInputRounds)
      throw RpcError{error_code::kInternalError, "the handler of " + context.method +
                                                     " still asked for input after " +
                                                     std::to_string(kMaxInputRounds) + " rounds"};
    auto const* requests = result.if_contains("inputRequests");
    if (!requests || !requests->is_object() || requests->get_object().empty())
      throw RpcError{error_code::kInternalError, "the handler of " + context.method +
                                                     " asked for input without naming any (inputRequests)"};
    std::vector<std::string> keys, methods;
    std::vector<json::object> params;
    for (auto const& [key, request] : requests->get_object()) {
      auto const* entry = request.if_object();
      auto const name = entry ? string_param(*entry, "method") : std::nullopt;
      if (!name)
        throw RpcError{error_code::kInternalError,
                       "input request \"" + std::string(key) + "\" names no method"};
      keys.emplace_back(key);
      methods.emplace_back(*name);
      auto const* p = entry->if_contains("params");
      params.push_back(p && p->is_object() ? p->get_object() : json::object{});
      auto& meta = params.back()["_meta"];
      if (!meta.is_object()) meta = json::object{};
      meta.get_object()[kInputKeyMeta] = key;
    }
    using Ask = decltype(asio::co_spawn(context.executor, context.ask_client({}, {}, {}), asio::deferred));
    std::vector<Ask> asks;
    for (std::size_t i = 0; i < keys.size(); ++i)
      asks.push_back(asio::co_spawn(
          context.executor,
          context.ask_client(methods[i], std::move(params[i]), client_request_capability(methods[i])),
          asio::deferred));
    auto [order, failures, answers] =
        co_await asio::experimental::make_parallel_group(std::move(asks))
            .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
    json::object responses;
    std::exception_ptr first_failure;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (failures[i]) {
        if (!first_failure) first_failure = failures[i];
      } else {
        responses[keys[i]] = std::move(answers[i]);
      }
    }
    if (responses.empty()) std::rethrow_exception(first_failure);
    context.params["inputResponses"] = std::move(responses);
    if (auto const* state = result.if_contains("requestState"); state && state->is_string())
      context.params["requestState"] = state->get_string();
    else
      context.params.erase("requestState");
    result = co_await (this->*method)(context);
  }
  co_return result;
}

}  // namespace prodmcp::protocol
