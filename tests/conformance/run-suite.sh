#!/usr/bin/env bash
# Runs the official MCP conformance suite (one pinned version, one selection) against a fresh
# prodmcp-server with its conformance fixtures, on a free loopback port.
#   run-suite.sh SERVER_BINARY conformance-0.1|conformance-0.2 [suite arguments...]
# With THROUGH_GATEWAY=stdio (or http) the suite runs through the gateway in front of the fixtures
# server, which the gateway starts on stdio (or reaches over HTTP on a port of its own).
set -euo pipefail
server=$1 package=$2
shift 2
source "$(dirname "$0")/server-on-free-port.sh"
cli=$here/node_modules/$package/dist/index.js
[[ -f $cli ]] || { echo "$package is not installed: run 'npm ci' in tests/conformance" >&2; exit 1; }

if [[ ${THROUGH_GATEWAY:-} == stdio ]]; then
  start_server "$server" --upstream "fixtures=$server --stdio --conformance-fixtures"
  wait_until_upstreams_ready
elif [[ ${THROUGH_GATEWAY:-} == http ]]; then
  start_http_upstream "$server"
  start_server "$server" --upstream "fixtures=$upstream_url"
  wait_until_upstreams_ready
else
  start_server "$server" --conformance-fixtures
fi
cd "$work"
status=0
"$node" "$cli" server --url "http://localhost:$port/mcp" -o results "$@" || status=$?
if ((status != 0)); then
  echo "--- failed checks ---"
  grep -h -B2 -A6 '"status": *"FAILURE"' results/*/checks.json 2>/dev/null | head -200 || true
  echo "--- server log (tail) ---"
  tail -60 "$work/server.log"
fi
exit "$status"
