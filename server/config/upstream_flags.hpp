#pragma once
// Upstreams declared on the command line: `--upstream NAME=COMMAND ARGS...` (or NAME=URL) and
// `--mcp-json FILE`, the mcpServers file Claude Desktop, Cursor and VS Code users already have.
// Both become the flag layer's upstreams.NAME.* settings.
#include <string>
#include <vector>

#include "config/loader.hpp"

namespace prodmcp::config {

// Throws std::invalid_argument saying what to fix.
std::vector<FlagSetting> upstream_flag(std::string const& spec);
std::vector<FlagSetting> mcp_json_file(std::string const& path);

}  // namespace prodmcp::config
