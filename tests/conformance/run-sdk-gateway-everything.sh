#!/usr/bin/env bash
# sdk-client-everything.mjs (the official SDK client) through prodmcp-server as a gateway in front
# of the reference server-everything, started by the gateway on stdio or running on its own over
# Streamable HTTP on a free loopback port.
#   run-sdk-gateway-everything.sh SERVER_BINARY stdio|http
set -euo pipefail
server=$1 mode=$2
source "$(dirname "$0")/server-on-free-port.sh"
everything=$here/node_modules/@modelcontextprotocol/server-everything/dist/index.js
if [[ $mode == stdio ]]; then
  start_server "$server" --upstream "everything=$node $everything stdio"
else
  everything_work=$(mktemp -d)
  everything_port=$("$node" -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => {
    console.log(s.address().port); s.close(); })')
  PORT=$everything_port "$node" "$everything" streamableHttp >"$everything_work/everything.log" 2>&1 &
  upstream_pid=$! upstream_work=$everything_work
  for _ in $(seq 200); do grep -q "listening on port" "$everything_work/everything.log" && break; sleep 0.05; done
  start_server "$server" --upstream "everything=http://127.0.0.1:$everything_port/mcp"
fi
wait_until_upstreams_ready
status=0
"$node" "$here/sdk-client-everything.mjs" "http://127.0.0.1:$port/mcp" || status=$?
if ((status != 0)); then
  echo "--- gateway log (tail) ---"
  tail -40 "$work/server.log"
fi
exit "$status"
