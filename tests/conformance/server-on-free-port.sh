# Sourced by the runners here: start_server SERVER_BINARY [server arguments...] starts a
# prodmcp-server on a free loopback port and sets $node (Node 22), $work (a scratch directory with
# server.log) and $port; the server stops and $work goes when the script exits.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The suites are one client firing hundreds of requests, against a server with no Redis of its own.
export REDIS_URL="" PRODMCP_RATE_LIMIT_ENABLED=false PRODMCP_SERVER_ADMIN_LISTEN=127.0.0.1:0
node=$here/node_modules/node22/bin/node
if [[ ! -x $node ]]; then
  echo "the npm packages are not installed: run 'npm ci' in tests/conformance (the README's test command does)" >&2
  exit 1
fi

start_server() {
  local server=$1
  shift
  work=$(mktemp -d)
  "$server" --listen 127.0.0.1:0 --ports-file "$work/ports.json" "$@" 2>"$work/server.log" &
  server_pid=$!
  trap 'kill "$server_pid" ${upstream_pid:-} 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work" ${upstream_work:-}' EXIT
  for _ in $(seq 200); do [[ -s $work/ports.json ]] && break; sleep 0.05; done
  port=$(sed -E 's/.*"mcp":([0-9]+).*/\1/' "$work/ports.json")
}

# start_http_upstream SERVER_BINARY: the fixtures server on a free port of its own, for a gateway
# to front over HTTP; sets $upstream_url. Call before start_server (whose exit trap stops it too).
start_http_upstream() {
  upstream_work=$(mktemp -d)
  "$1" --listen 127.0.0.1:0 --ports-file "$upstream_work/ports.json" --conformance-fixtures \
    --set server.admin_listen= 2>"$upstream_work/server.log" &
  upstream_pid=$!
  for _ in $(seq 200); do [[ -s $upstream_work/ports.json ]] && break; sleep 0.05; done
  upstream_url="http://127.0.0.1:$(sed -E 's/.*"mcp":([0-9]+).*/\1/' "$upstream_work/ports.json")/mcp"
}

# A gateway is ready once its upstreams are (/ready answers 200); gives up after 30 s.
wait_until_upstreams_ready() {
  local admin
  admin=$(sed -E 's/.*"admin":([0-9]+).*/\1/' "$work/ports.json")
  for _ in $(seq 600); do
    curl -sf "http://127.0.0.1:$admin/ready" >/dev/null && return 0
    sleep 0.05
  done
  echo "the gateway's upstreams did not become ready; its log:" >&2
  tail -30 "$work/server.log" >&2
  return 1
}
