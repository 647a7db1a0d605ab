# Sourced by the benchmark scripts: scratch space, process cleanup, ports, MCP sessions and one
# wrk measurement (server on core 0, wrk on core 1). Expects $here, $duration and $connections.
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {  # a random loopback port nobody listens on, below the ephemeral range (where port-0
  # binds of concurrently running tests land, so they cannot take it before we bind it)
  local port low
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range
  while :; do
    port=$(shuf -i 10000-$((low - 1)) -n 1)
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}
wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

# $server on core 0 with one worker (the measured configuration): sets $port and $pid.
start_server() {  # log-file args... -> sets $port, $pid
  local log=$1
  shift
  port=$(free_port)
  taskset -c 0 "$server" --listen "127.0.0.1:$port" --workers 1 "$@" 2>"$log" &
  pid=$!
  pids+=("$pid")
  wait_port "$port"
  sleep 0.3
}

# The bare protocol engine: no request logs, no rate limit, no admin port (so no metrics), no Redis.
bare=(--set logging.level=warning --set rate_limit.enabled=false --set server.admin_listen= --set cache.redis_url=)

hdr=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream')
init='{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}'
ping='{"jsonrpc":"2.0","id":1,"method":"ping"}'
echo_call='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"}}}'

# session URL -> session id (and sends notifications/initialized)
open_session() {
  local sid
  sid=$(curl -s -D - -o /dev/null "${hdr[@]}" "$1" -d "$init" | tr -d '\r' | awk -F': ' 'tolower($1)=="mcp-session-id"{print $2}')
  curl -s -o /dev/null "${hdr[@]}" -H "Mcp-Session-Id: $sid" -H 'MCP-Protocol-Version: 2025-06-18' "$1" \
    -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
  echo "$sid"
}

measure() {  # url body session [connections...] -> "connections rps p50_ms p99_ms errors requests" lines
  local url=$1 body=$2 session=$3 c
  shift 3
  local points=("$@")
  ((${#points[@]})) || points=("${connections[@]}")
  for c in "${points[@]}"; do
    local threads=$(( c < 2 ? 1 : 2 ))
    BODY=$body SESSION=$session PROTOCOL_VERSION=2025-06-18 UNIQUE_IDS=${UNIQUE_IDS:-} DELAY_MS=${DELAY_MS:-} taskset -c 1 \
      wrk -t "$threads" -c "$c" -d "${duration}s" --latency -s "$here/mcp_post.lua" "$url" | awk -v c="$c" '/^RESULT/{print c, $2, $3, $4, $5, $6}'
  done
}

rss_kb() { awk '/VmRSS/{print $2}' "/proc/$1/status"; }

