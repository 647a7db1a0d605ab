#!/usr/bin/env bash
# Throughput of one MCP session served by 1, 2 and 3 replicas behind HAProxy (the shipped
# installers/haproxy/haproxy.cfg) sharing one redis-server for sessions and rate limits, and
# references in the same run: one replica without HAProxy, its sessions in the process or in Redis.
# tools/call echo, CONNECTIONS keep-alive connections (default 32), wrk on core 1, the rest
# wherever the kernel puts it; loopback only; every point is bounded in time.
#   tests/bench/run-scale-out-bench.sh [SERVER_BINARY]   env: DURATION (s, default 10), CONNECTIONS, ROUNDS
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
server=${1:-$root/build/bin/prodmcp-server}
duration=${DURATION:-10}
connections=("${CONNECTIONS:-32}")
source "$here/bench-lib.sh"

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" --loglevel warning \
  >"$work/redis.log" 2>&1 &
pids+=($!)
wait_port "$redis_port"

# Production-like replicas: sessions and rate limit in Redis (a limit nobody reaches), warning logs.
replica_args=(--workers 1 --set logging.level=warning --set "cache.redis_url=redis://127.0.0.1:$redis_port"
  --set rate_limit.enabled=true --set rate_limit.requests_per_minute=100000000)

replica_pids=()
start_replicas() {  # count [extra args...] -> ports in $mcp_ports / $admin_ports
  local count=$1 i
  shift
  mcp_ports=() admin_ports=() replica_pids=()
  for ((i = 0; i < count; i++)); do
    mcp_ports+=("$(free_port)")
    admin_ports+=("$(free_port)")
    "$server" --listen "127.0.0.1:${mcp_ports[i]}" --admin-listen "127.0.0.1:${admin_ports[i]}" "${replica_args[@]}" "$@" \
      2>"$work/replica-$i.log" &
    replica_pids+=($!)
    pids+=($!)
    wait_port "${mcp_ports[i]}"
  done
}
stop_replicas() {
  kill "${replica_pids[@]}" 2>/dev/null || true
  wait "${replica_pids[@]}" 2>/dev/null || true
}

runtime_api() {  # command -> HAProxy's answer
  python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall((sys.argv[2]+"\n").encode()); print(s.makefile().read(), end="")' \
    "$work/haproxy.sock" "$1"
}

start_haproxy() {  # count: fronts the first `count` replicas; the other slots are put in maintenance
  local count=$1 i
  lb_port=$(free_port)
  local env=(PRODMCP_LB_BIND="127.0.0.1:$lb_port" PRODMCP_LB_STATS_SOCKET="$work/haproxy.sock" PRODMCP_LB_CHECK_INTERVAL=1s)
  for i in 1 2 3; do
    local slot=$(( i <= count ? i - 1 : 0 ))
    env+=(PRODMCP_REPLICA_$i="127.0.0.1:${mcp_ports[slot]}" PRODMCP_REPLICA_${i}_ADMIN_PORT="${admin_ports[slot]}")
  done
  env "${env[@]}" haproxy -db -f "$root/installers/haproxy/haproxy.cfg" 2>"$work/haproxy.log" &
  haproxy_pid=$!
  pids+=("$haproxy_pid")
  wait_port "$lb_port"
  for ((i = count + 1; i <= 3; i++)); do runtime_api "disable server prodmcp/replica-$i" >/dev/null; done
  for _ in $(seq 100); do
    (( $(runtime_api "show stat" | awk -F, '$1=="prodmcp" && $2 ~ /^replica-/ && $18=="UP"' | wc -l) == count )) && return
    sleep 0.1
  done
  echo "HAProxy did not see $count replicas up" >&2
  return 1
}
stop_haproxy() {
  kill "$haproxy_pid" 2>/dev/null || true
  wait "$haproxy_pid" 2>/dev/null || true
}

echo "# machine: $(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)"
echo "# columns: setup connections requests/s p50_ms p99_ms errors requests; tools/call echo, ${duration}s per point"

# One replica, no HAProxy: sessions kept in the process; in Redis, checked once a second (the
# default); in Redis, checked on every request.
direct_round() {
  local setup label sharing recheck url
  for setup in local:false:1000 shared:true:1000 shared-every-request:true:0; do
    IFS=: read -r label sharing recheck <<<"$setup"
    start_replicas 1 --set "cache.share_sessions=$sharing" --set "cache.session_recheck_ms=$recheck"
    url="http://127.0.0.1:${mcp_ports[0]}/mcp"
    measure "$url" "$echo_call" "$(open_session "$url")" | sed "s/^/direct-1-replica-sessions-$label /"
    stop_replicas
  done
}

haproxy_round() {
  local count url port served
  for count in 1 2 3; do
    start_replicas "$count"
    start_haproxy "$count"
    url="http://127.0.0.1:$lb_port/mcp"
    measure "$url" "$echo_call" "$(open_session "$url")" | sed "s/^/haproxy-$count-replicas /"
    # Every replica took part: each one's own request counter moved.
    for port in "${admin_ports[@]}"; do
      served=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^mcp_requests_total\{.*method="tools\/call"/{s+=$2} END{print s+0}')
      echo "#   replica on admin port $port served $served tools/call" >&2
    done
    stop_haproxy
    stop_replicas
  done
}

# Setups alternate ROUNDS times (default 3), so drift on the machine hits all alike; means last.
for ((round = 1; round <= ${ROUNDS:-3}; round++)); do
  direct_round | tee -a "$work/rounds.txt"
  haproxy_round | tee -a "$work/rounds.txt"
done
echo "# means over ${ROUNDS:-3} rounds: setup requests/s p50_ms p99_ms errors"
awk '{n[$1]++; r[$1]+=$3; p50[$1]+=$4; p99[$1]+=$5; e[$1]+=$6; if (!($1 in order)) {order[$1]=++k; names[k]=$1}}
     END {for (i = 1; i <= k; i++) {s=names[i]; printf "%s %.0f %.2f %.2f %d\n", s, r[s]/n[s], p50[s]/n[s], p99[s]/n[s], e[s]}}' \
  "$work/rounds.txt"
