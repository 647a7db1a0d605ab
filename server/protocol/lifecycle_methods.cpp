// ping, logging/setLevel (session revisions); server/discover and subscriptions/listen (2026-07-28).
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/experimental/channel_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <optional>

#include "protocol/engine.hpp"
#include "protocol/meta_keys.hpp"

namespace prodmcp::protocol {

namespace {

// One subscriptions/listen stream: filters catalog events and queues the ones the client asked for.
class ListenStream final : public NotificationListener {
 public:
  ListenStream(asio::any_io_executor executor, json::object filter)
      : filter_(std::move(filter)), queue_(std::move(executor), kQueueDepth) {
    if (auto const* uris = filter_.if_contains("resourceSubscriptions"); uris && uris->is_array())
      for (auto const& uri : uris->get_array())
        if (uri.is_string()) resources_.emplace_back(uri.get_string());
  }

  void deliver(CatalogChange change) override {
    std::string_view flag, method;
    switch (change) {
      case CatalogChange::kTools: flag = "toolsListChanged", method = "notifications/tools/list_changed"; break;
      case CatalogChange::kPrompts: flag = "promptsListChanged", method = "notifications/prompts/list_changed"; break;
      case CatalogChange::kResources:
        flag = "resourcesListChanged", method = "notifications/resources/list_changed";
        break;
    }
    if (wants(flag)) queue_.try_send(boost::system::error_code{}, make_notification(method, {}));
  }

  void deliver_resource_updated(std::string const& uri) override {
    if (std::find(resources_.begin(), resources_.end(), uri) != resources_.end())
      queue_.try_send(boost::system::error_code{},
                      make_notification("notifications/resources/updated", json::object{{"uri", uri}}));
  }

  void finish() override { queue_.close(); }

  // The next notification; none once the stream was finished.
  asio::awaitable<std::optional<json::object>> next() {
    auto [ec, message] = co_await queue_.async_receive(asio::as_tuple(asio::use_awaitable));
    if (ec == asio::experimental::error::channel_closed) co_return std::nullopt;
    if (ec) throw boost::system::system_error(ec);
    co_return std::move(message);
  }

 private:
  static constexpr std::size_t kQueueDepth = 256;  // a client that does not read loses the surplus
  bool wants(std::string_view flag) const {
    auto const* value = filter_.if_contains(flag);
    return value && value->is_bool() && value->get_bool();
  }

  json::object filter_;
  std::vector<std::string> resources_;
  asio::experimental::concurrent_channel<void(boost::system::error_code, json::object)> queue_;
};

// Marks a notification as belonging to one subscriptions/listen stream (its request id).
json::object tag_subscription(json::object message, json::value const& subscription_id) {
  auto& params = message["params"];
  if (!params.is_object()) params = json::object{};
  auto& meta = params.get_object()["_meta"];
  if (!meta.is_object()) meta = json::object{};
  meta.get_object()[meta_key::kSubscriptionId] = subscription_id;
  return message;
}

}  // namespace

asio::awaitable<json::object> Engine::ping(RequestContext&) { co_return json::object{}; }

asio::awaitable<json::object> Engine::discover(RequestContext&) {
  json::array versions;
  for (auto revision : kSupportedRevisions) versions.emplace_back(to_string(revision));
  json::object result{{"supportedVersions", std::move(versions)}, {"capabilities", capabilities()}};
  if (!options_.identity.instructions.empty()) result["instructions"] = options_.identity.instructions;
  co_return result;
}

asio::awaitable<json::object> Engine::set_log_level(RequestContext& context) {
  auto const level_name = string_param(context.params, "level");
  auto const level = level_name ? parse_log_level(*level_name) : std::nullopt;
  if (!level)
    throw RpcError{error_code::kInvalidParams, "\"level\" must be one of debug, info, notice, warning, error, "
                                               "critical, alert, emergency"};
  context.session->set_log_level(*level);
  co_return json::object{};
}

asio::awaitable<json::object> Engine::listen(RequestContext& context) {
  if (!context.channel)
    throw RpcError{error_code::kInvalidRequest, "subscriptions/listen needs a stream (Accept: text/event-stream)"};
  json::object filter = object_param(context.params, "notifications");
  auto stream = std::make_shared<ListenStream>(context.executor, filter);
  add_listener(stream);

  json::object acknowledged{{"notifications", filter}};
  co_await context.channel->send(
      tag_subscription(make_notification("notifications/subscriptions/acknowledged", std::move(acknowledged)), context.id));
  // Runs until the client closes the stream, which cancels this coroutine, or the server shuts
  // down, which ends it with a result.
  while (auto message = co_await stream->next())
    co_await context.channel->send(tag_subscription(std::move(*message), context.id));
  co_return json::object{};
}

}  // namespace prodmcp::protocol
