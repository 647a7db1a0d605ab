# shellcheck shell=bash
# Sourced by the deploy tests that run the real server. Provides $work (scratch, removed on exit),
# start_server [WRAPPER...] -- SERVER [ARGS...] (free loopback ports via port 0; sets $mcp_port,
# $admin_port, $server_pid), exercise_server (traffic that creates every metric family the
# dashboard reads) and stop_server. Everything started here stops when the script exits.
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; tail -20 "$work/server.log" >&2 2>/dev/null || true; exit 1; }

start_server() {
  local wrapper=()
  while [[ $1 != -- ]]; do wrapper+=("$1"); shift; done
  shift
  # No Redis (the in-memory cache and limiter), and a small burst so a few requests get 429.
  REDIS_URL="" RATE_LIMIT=60 PRODMCP_RATE_LIMIT_BURST=4 \
    "${wrapper[@]}" "$@" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --ports-file "$work/ports.json" \
    2>"$work/server.log" &
  server_pid=$!
  for _ in $(seq 200); do [[ -s $work/ports.json ]] && break; sleep 0.05; done
  [[ -s $work/ports.json ]] || fail "the server did not write its ports"
  mcp_port=$(jq -r .mcp "$work/ports.json")
  admin_port=$(jq -r .admin "$work/ports.json")
}

# Metric families exist only once something was counted: call a cacheable tool (a miss, then hits),
# past the rate limit's burst (429s), and read the probes.
exercise_server() {
  local i body
  body='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"http_status_lookup","arguments":{"code":503},
    "_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}'
  for i in 1 2 3 4 5 6; do
    curl -s -m 5 -o /dev/null "http://127.0.0.1:$mcp_port/mcp" -H 'Content-Type: application/json' \
      -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2026-07-28' \
      -H 'Mcp-Method: tools/call' -H 'Mcp-Name: http_status_lookup' -d "$body" || fail "request $i failed"
  done
  curl -sf -m 5 -o /dev/null "http://127.0.0.1:$admin_port/health" || fail "/health failed"
  curl -sf -m 5 -o /dev/null "http://127.0.0.1:$admin_port/ready" || fail "/ready failed"
}

# SIGTERM, then wait (bounded) for the drain; returns the server's exit status.
stop_server() {
  local status=0
  kill -TERM "$server_pid"
  for _ in $(seq 200); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$server_pid" 2>/dev/null && fail "the server did not exit within 10 s of SIGTERM"
  wait "$server_pid" || status=$?
  server_pid=""
  return "$status"
}
