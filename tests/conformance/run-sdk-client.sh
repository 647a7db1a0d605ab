#!/usr/bin/env bash
# Runs sdk-client-check.mjs (the official TypeScript SDK client) against prodmcp-server.
#   run-sdk-client.sh SERVER_BINARY http|stdio
set -euo pipefail
server=$1 mode=$2
here=$(cd "$(dirname "$0")" && pwd)
node=$here/node_modules/node22/bin/node
[[ -x $node ]] || { echo "run 'npm ci' in tests/conformance first (the README's test command does)" >&2; exit 1; }
if [[ $mode == stdio ]]; then
  exec "$node" "$here/sdk-client-check.mjs" stdio "$server"
fi
work=$(mktemp -d)
"$server" --listen 127.0.0.1:0 --ports-file "$work/ports.json" 2>"$work/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 200); do [[ -s $work/ports.json ]] && break; sleep 0.05; done
port=$(sed -E 's/.*"mcp":([0-9]+).*/\1/' "$work/ports.json")
"$node" "$here/sdk-client-check.mjs" http "http://localhost:$port/mcp"
