#!/usr/bin/env bash
# Runs sdk-client-check.mjs (the official TypeScript SDK client) against prodmcp-server.
#   run-sdk-client.sh SERVER_BINARY http|stdio
set -euo pipefail
server=$1 mode=$2
source "$(dirname "$0")/server-on-free-port.sh"
if [[ $mode == stdio ]]; then
  exec "$node" "$here/sdk-client-check.mjs" stdio "$server"
fi
start_server "$server"
"$node" "$here/sdk-client-check.mjs" http "http://localhost:$port/mcp"
