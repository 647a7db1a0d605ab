#pragma once
// The tools, resources and prompts every prodmcp-server offers: small, useful in operations, and
// good for demos (a slow, progress-reporting workload; a cacheable lookup).
#include <boost/json/object.hpp>
#include <functional>

#include "protocol/catalog.hpp"

namespace prodmcp::tools {

// A snapshot of the server's own state for server_status and prodmcp://server/status.
using StatusProvider = std::function<boost::json::object()>;

void add_builtin_tools(protocol::Catalog& catalog, StatusProvider status);

// simulate_crash, for demos of supervision (never in the production profile): while `armed` says
// so, a call ends the process abruptly (SIGABRT), as a crashing tool would; otherwise it refuses.
void add_crash_tool(protocol::Catalog& catalog, std::function<bool()> armed);

}  // namespace prodmcp::tools
