#!/usr/bin/env bash
# The gateway against its peers, same upstream, same load: tools/call echo of the reference
# server-everything (stdio) through prodmcp-server (sessions shared and per-client), supergateway
# (stdio -> stateful Streamable HTTP) and mcp-proxy (stdio -> Streamable HTTP), all pinned in
# tests/conformance/package-lock.json, alternating in each round. The gateway and its child run on
# core 0, wrk on core 1. Loopback only; bounded by DURATION per point and ROUNDS rounds.
#   tests/bench/run-peer-gateway-bench.sh [SERVER_BINARY]   env: DURATION (s, default 5), CONNECTIONS, ROUNDS
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
server=${1:-$root/build/bin/prodmcp-server}
duration=${DURATION:-5}
rounds=${ROUNDS:-2}
read -r -a connections <<<"${CONNECTIONS:-1 32}"
source "$here/bench-lib.sh"
export UNIQUE_IDS=1  # requests of one session in flight at once need ids of their own
modules=$root/tests/conformance/node_modules
node=$modules/node22/bin/node
everything="$node $modules/@modelcontextprotocol/server-everything/dist/index.js stdio"
[[ -x $node && -f $modules/supergateway/dist/index.js ]] || { echo "run 'npm ci' in tests/conformance" >&2; exit 1; }

echo "# machine: $(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)"
echo "# duration ${duration}s per point; connections: ${connections[*]}; rounds: $rounds"
echo "# columns: connections requests/s p50_ms p99_ms errors requests (errors: non-2xx and socket errors)"

# run NAME PORT COMMAND...: starts a gateway on core 0, waits for its echo to answer, measures it.
run() {
  local name=$1 port=$2 body
  shift 2
  taskset -c 0 "$@" >"$work/$name.log" 2>&1 &
  local pid=$!
  wait_port "$port"
  local url="http://127.0.0.1:$port/mcp" session="" answer=""
  for _ in $(seq 200); do
    session=$(open_session "$url")
    answer=$(curl -s "${hdr[@]}" -H "Mcp-Session-Id: $session" -H 'MCP-Protocol-Version: 2025-06-18' "$url" -d "$echo_call")
    [[ $answer == *'hello'* && $answer != *'"error"'* ]] && break
    sleep 0.1
  done
  [[ $answer == *'hello'* ]] || { echo "$name: echo does not answer: $answer" >&2; tail -5 "$work/$name.log" >&2; kill "$pid"; return 1; }
  echo "== round $round: $name"
  measure "$url" "$echo_call" "$session"
  local rss=$(rss_kb "$pid") child=0 c
  for c in $(pgrep -P "$pid"); do child=$((child + $(rss_kb "$c"))); done
  echo "$name RSS KiB: $rss, its children's: $child"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
}

for round in $(seq "$rounds"); do
  for mode in shared per-client; do
    port=$(free_port)
    run "prodmcp-server, sessions = $mode" "$port" "$server" --listen "127.0.0.1:$port" --workers 1 "${bare[@]}" \
      --set logging.level=info --upstream "everything=$everything" --set "upstreams.everything.sessions=$mode"
  done
  port=$(free_port)
  run "supergateway 4.0.0 (stateful)" "$port" "$node" "$modules/supergateway/dist/index.js" --stdio "$everything" \
    --outputTransport streamableHttp --stateful --port "$port" --logLevel none
  port=$(free_port)
  run "mcp-proxy 6.7.19" "$port" "$node" "$modules/mcp-proxy/dist/bin/mcp-proxy.mjs" --port "$port" --host 127.0.0.1 \
    --server stream -- $everything
done
