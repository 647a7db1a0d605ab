#pragma once
// What an upstream sends about a call (notifications/progress, notifications/message params),
// passed on to the client request the call serves.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>

#include "protocol/request_context.hpp"

namespace prodmcp::gateway {

// Malformed params (no numeric progress, an unknown level) are dropped.
boost::asio::awaitable<void> relay_progress(protocol::RequestContext& context,
                                            boost::json::object const& params);
boost::asio::awaitable<void> relay_log(protocol::RequestContext& context, boost::json::object const& params);

}  // namespace prodmcp::gateway
