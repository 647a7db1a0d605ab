#include "gateway/client_relay.hpp"

#include <optional>
#include <string>

#include "protocol/engine.hpp"
#include "protocol/log_level.hpp"

namespace prodmcp::gateway {

namespace json = boost::json;

boost::asio::awaitable<void> relay_progress(protocol::RequestContext& context, json::object const& params) {
  auto const* progress = params.if_contains("progress");
  if (!progress || !progress->is_number()) co_return;
  std::optional<double> total;
  if (auto const* t = params.if_contains("total"); t && t->is_number()) total = t->to_number<double>();
  std::string const message(protocol::string_param(params, "message").value_or(""));
  co_await context.progress(progress->to_number<double>(), total, message);
}

boost::asio::awaitable<void> relay_log(protocol::RequestContext& context, json::object const& params) {
  auto const level = protocol::parse_log_level(protocol::string_param(params, "level").value_or(""));
  if (!level) co_return;
  std::string const logger(protocol::string_param(params, "logger").value_or(""));
  json::value data = params.contains("data") ? params.at("data")
                                             : json::value(nullptr);  // not a temporary in co_await (GCC 12)
  co_await context.log(*level, logger, std::move(data));
}

}  // namespace prodmcp::gateway
