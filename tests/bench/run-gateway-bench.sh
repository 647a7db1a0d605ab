#!/usr/bin/env bash
# The cost of the gateway: tools/call echo straight to prodmcp-server, then through the gateway in
# front of `prodmcp-server --stdio` and in front of a prodmcp-server over HTTP (per-client and
# shared sessions each), alternating, in one run. The server side (gateway, child, HTTP upstream)
# runs on core 0, wrk on core 1. Loopback only; bounded by DURATION per point and ROUNDS rounds.
#   tests/bench/run-gateway-bench.sh [SERVER_BINARY]   env: DURATION (s, default 5), CONNECTIONS, ROUNDS
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
server=${1:-$root/build/bin/prodmcp-server}
duration=${DURATION:-5}
rounds=${ROUNDS:-2}
read -r -a connections <<<"${CONNECTIONS:-1 32}"
source "$here/bench-lib.sh"

echo "# machine: $(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)"
echo "# duration ${duration}s per point; connections: ${connections[*]}; rounds: $rounds"
echo "# columns: connections requests/s p50_ms p99_ms errors requests"

# start NAME ARGS...: a server on core 0 (its children inherit the core); sets $url and $session.
start() {
  local name=$1 port
  shift
  port=$(free_port)
  taskset -c 0 "$server" --listen "127.0.0.1:$port" --workers 1 "${bare[@]}" "$@" 2>"$work/$name.log" &
  pids+=("$!")
  wait_port "$port"
  url="http://127.0.0.1:$port/mcp"
  if [[ $name != direct ]]; then  # a gateway offers the tools once its upstream is ready
    for _ in $(seq 200); do grep -q '"upstream_ready"' "$work/$name.log" && break; sleep 0.05; done
  fi
  session=$(open_session "$url")
}

child_rss() {  # the RSS in KiB of the children of the last server started
  local total=0 pid
  for pid in $(pgrep -P "${pids[-1]}"); do total=$((total + $(rss_kb "$pid"))); done
  echo "$total"
}

# through_gateway NAME LABEL UPSTREAM RSS_LABEL RSS_COMMAND...: echo through a gateway in front of
# UPSTREAM, per-client then shared; RSS_COMMAND prints the upstream side's RSS.
through_gateway() {
  local name=$1 label=$2 upstream=$3 rss_label=$4 mode
  shift 4
  for mode in per-client shared; do
    echo "== round $round: through the gateway${label}, sessions = $mode"
    start "$name-$mode" --set logging.level=info --upstream "$upstream" --set "upstreams.bench.sessions=$mode"
    measure "$url" "$echo_call" "$session"
    echo "gateway RSS KiB: $(rss_kb "${pids[-1]}"), $rss_label RSS KiB: $("$@") ($mode)"
    kill "${pids[-1]}"
  done
}

for round in $(seq "$rounds"); do
  echo "== round $round: direct"
  start direct --set logging.level=info
  measure "$url" "$echo_call" "$session"
  kill "${pids[-1]}"
  through_gateway gateway "" "bench=$server --stdio --set logging.level=warning" "its children's" child_rss
  upstream_port=$(free_port)
  taskset -c 0 "$server" --listen "127.0.0.1:$upstream_port" --workers 1 "${bare[@]}" --set logging.level=warning \
    2>"$work/upstream.log" &
  upstream_pid=$!
  pids+=("$upstream_pid")
  wait_port "$upstream_port"
  through_gateway gateway-http ", HTTP upstream" "bench=http://127.0.0.1:$upstream_port/mcp" "the HTTP upstream's" \
    rss_kb "$upstream_pid"
  kill "$upstream_pid"
done
