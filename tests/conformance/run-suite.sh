#!/usr/bin/env bash
# Runs the official MCP conformance suite (one pinned version, one selection) against a fresh
# prodmcp-server with its conformance fixtures, on a free loopback port.
#   run-suite.sh SERVER_BINARY conformance-0.1|conformance-0.2 [suite arguments...]
set -euo pipefail
server=$1 package=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
node=$here/node_modules/node22/bin/node
cli=$here/node_modules/$package/dist/index.js
if [[ ! -x $node || ! -f $cli ]]; then
  echo "the conformance suite is not installed: run 'npm ci' in tests/conformance (the README's test command does)" >&2
  exit 1
fi

work=$(mktemp -d)
"$server" --listen 127.0.0.1:0 --ports-file "$work/ports.json" --conformance-fixtures 2>"$work/server.log" &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 200); do [[ -s $work/ports.json ]] && break; sleep 0.05; done
port=$(sed -E 's/.*"mcp":([0-9]+).*/\1/' "$work/ports.json")

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
