#!/usr/bin/env bash
# A real Prometheus server scrapes prodmcp-server's admin endpoint; mcp_requests_total is then read
# back through Prometheus's query API, and promtool checks the live /metrics text.
#   prometheus-scrape.sh SERVER_BINARY
set -euo pipefail
server=$1
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  echo "--- server log (tail) ---"; tail -20 "$work/server.log" || true
  echo "--- prometheus log (tail) ---"; tail -20 "$work/prometheus.log" 2>/dev/null || true
  exit 1
}
free_port() {  # a random loopback port nobody listens on, below the ephemeral range (where port-0
  # binds of concurrently running tests land, so they cannot take it before we bind it)
  local port low
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range
  while :; do
    port=$(shuf -i 10000-$((low - 1)) -n 1)
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

REDIS_URL="" "$server" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --ports-file "$work/ports.json" 2>"$work/server.log" &
pids+=($!)
for _ in $(seq 200); do [[ -s $work/ports.json ]] && break; sleep 0.05; done
[[ -s $work/ports.json ]] || fail "the server did not write its ports"
mcp_port=$(jq -r .mcp "$work/ports.json")
admin_port=$(jq -r .admin "$work/ports.json")

# Traffic Prometheus will see: an initialize and three pings from the same client.
hdr=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream')
session=$(curl -s -D - -o /dev/null "${hdr[@]}" "http://127.0.0.1:$mcp_port/mcp" \
  -d '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"scrape-test","version":"1"}}}' |
  tr -d '\r' | awk -F': ' 'tolower($1)=="mcp-session-id"{print $2}')
[[ -n $session ]] || fail "initialize returned no session"
for id in 1 2 3; do
  curl -sf -o /dev/null "${hdr[@]}" -H "Mcp-Session-Id: $session" "http://127.0.0.1:$mcp_port/mcp" \
    -d "{\"jsonrpc\":\"2.0\",\"id\":$id,\"method\":\"ping\"}" || fail "ping $id failed"
done

curl -sf "http://127.0.0.1:$admin_port/metrics" >"$work/metrics.txt" || fail "GET /metrics failed"
promtool check metrics <"$work/metrics.txt" || fail "promtool check metrics found problems"
echo "promtool check metrics: ok ($(grep -vc '^#' "$work/metrics.txt") samples)"

cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: prodmcp
    static_configs:
      - targets: ["127.0.0.1:$admin_port"]
EOF
promtool check config "$work/prometheus.yml" >/dev/null || fail "promtool rejects the generated prometheus.yml"
# Another process may take the chosen port between the check and the bind: try a few.
for _ in 1 2 3; do
  prometheus_port=$(free_port)
  prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
    --web.listen-address="127.0.0.1:$prometheus_port" >"$work/prometheus.log" 2>&1 &
  pids+=($!)
  sleep 0.5
  grep -q "address already in use" "$work/prometheus.log" || break
done

query='sum(mcp_requests_total{method="ping"})'
for _ in $(seq 60); do
  value=$(curl -sf --get "http://127.0.0.1:$prometheus_port/api/v1/query" --data-urlencode "query=$query" |
    jq -r '.data.result[0].value[1] // empty' 2>/dev/null || true)
  if [[ $value == 3 ]]; then
    echo "Prometheus read back $query = $value"
    exit 0
  fi
  sleep 0.5
done
fail "Prometheus never reported $query = 3 (last: ${value:-none})"
