#pragma once
// The upstreams the supervised server is started with, read the way the server reads them: its
// config file and profile and the --upstream, --mcp-json and --set arguments of its launch, through
// the server's own loader. So the console can reach the user's prototype as it is, without the
// gateway, to compare the two.
#include <QString>
#include <map>

#include "config/settings.hpp"
#include "mcp/direct_client.hpp"
#include "supervision/server_supervisor.hpp"

namespace prodmcp::console {

struct LaunchedUpstreams {
  std::map<QString, config::UpstreamSettings> upstreams;  // by name
  QString error;  // the launch's config does not load (the first error)
};

LaunchedUpstreams launched_upstreams(ServerLaunchOptions const& launch);

// How to reach the upstream directly: its command, arguments, working directory and environment,
// or its URL and headers, with ${VAR} expanded from the console's environment as the gateway does.
DirectTarget direct_target(config::UpstreamSettings const& upstream);

}  // namespace prodmcp::console
