#pragma once
// Runs prodmcp-server with an effective configuration until a signal ends it: builds the engine,
// the transports and the admin endpoint, and handles SIGTERM/SIGINT (drain) and SIGHUP (reload).
#include <string>

#include "config/loader.hpp"

namespace prodmcp::runtime {

struct RunOptions {
  bool stdio = false;
  std::string ports_file;          // where the bound ports are written as JSON
  config::ConfigSources sources;   // re-read on SIGHUP
};

// Returns the process exit code.
int run_server(config::LoadedConfig const& config, RunOptions const& options);

}  // namespace prodmcp::runtime
