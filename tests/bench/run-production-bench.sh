#!/usr/bin/env bash
# What the production layer costs, measured in one run on this machine:
#  1. throughput of the bare protocol engine against the full production stack (JSON request logs,
#     metrics with the admin port, bearer auth, rate limiting), ping and tools/call, 32 connections,
#     alternating ROUNDS times (default 3);
#  2. p50 latency of a cached tool call answered from Redis against one answered from memory;
#  3. RSS of the full stack under steady load for SOAK seconds (default 300), sampled every 10 s.
# Server on core 0, wrk on core 1; loopback only; every phase is bounded in time.
#   tests/bench/run-production-bench.sh [SERVER_BINARY]   env: DURATION (s, default 10), SOAK (s, default 300)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
server=${1:-$root/build/bin/prodmcp-server}
duration=${DURATION:-10}
soak=${SOAK:-300}
connections=(32)
source "$here/bench-lib.sh"

token=bench-token-0123456789
hash=$(printf %s "$token" | "$server" hash-token)
full=(--set logging.level=info --set auth.enabled=true --set "auth.clients=bench=$hash" --set rate_limit.enabled=true
  --set rate_limit.requests_per_minute=100000000 --set server.admin_listen=127.0.0.1:0 --set cache.redis_url=)
lookup='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"http_status_lookup","arguments":{"code":503}}}'

echo "# machine: $(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)"
echo "# columns: stack call connections requests/s p50_ms p99_ms errors requests; ${duration}s per point"

# Bare and full alternate ROUNDS times, so drift on the machine hits both alike; the means are compared.
auth_header=(-H "Authorization: Bearer $token")
plain_hdr=("${hdr[@]}")
for ((round = 1; round <= ${ROUNDS:-3}; round++)); do
  for stack in bare full; do
    if [[ $stack == bare ]]; then
      start_server "$work/bare.log" "${bare[@]}"
      hdr=("${plain_hdr[@]}")
      unset AUTHORIZATION
    else
      start_server "$work/full.log" "${full[@]}"
      hdr=("${plain_hdr[@]}" "${auth_header[@]}")
      export AUTHORIZATION="Bearer $token"
    fi
    session=$(open_session "http://127.0.0.1:$port/mcp")
    measure "http://127.0.0.1:$port/mcp" "$ping" "$session" | sed "s/^/$stack ping /" | tee -a "$work/rounds.txt"
    measure "http://127.0.0.1:$port/mcp" "$echo_call" "$session" | sed "s/^/$stack echo /" | tee -a "$work/rounds.txt"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
  done
done
hdr=("${plain_hdr[@]}")
unset AUTHORIZATION
echo "full: $(grep -c '"event":"request"' "$work/full.log") request log lines written in the last full round"
awk '{sum[$1" "$2]+=$4; n[$1" "$2]++}
  END {
    for (m in n) mean[m] = sum[m] / n[m]
    split("ping echo", calls, " ")
    for (i = 1; i <= 2; i++) {
      c = calls[i]
      printf "mean %s: bare %.0f, full %.0f requests/s (full is %.1f%% below bare)\n", c, mean["bare " c], mean["full " c],
        100 * (1 - mean["full " c] / mean["bare " c])
    }
  }' "$work/rounds.txt"

# --- cache hits: memory vs Redis, one connection so p50 is the latency of one call
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" >/dev/null &
pids+=("$!")
wait_port "$redis_port"
start_server "$work/memory.log" "${bare[@]}"
session=$(open_session "http://127.0.0.1:$port/mcp")
echo "== cached lookup, memory hit (1 connection)"; measure "http://127.0.0.1:$port/mcp" "$lookup" "$session" 1
kill "$pid"
start_server "$work/redis.log" "${bare[@]}" --set "cache.redis_url=redis://127.0.0.1:$redis_port"
session=$(open_session "http://127.0.0.1:$port/mcp")
echo "== cached lookup, Redis hit (1 connection)"; measure "http://127.0.0.1:$port/mcp" "$lookup" "$session" 1
echo "redis keys: $(redis-cli -p "$redis_port" DBSIZE)"
kill "$pid"

# --- RSS under steady load: the full stack, echo at 32 connections for $soak seconds
start_server "$work/soak.log" "${full[@]}"
hdr+=(-H "Authorization: Bearer $token")
export AUTHORIZATION="Bearer $token"
session=$(open_session "http://127.0.0.1:$port/mcp")
echo "== RSS under load (seconds, KiB)"
echo "0 $(rss_kb "$pid")"
BODY=$echo_call SESSION=$session PROTOCOL_VERSION=2025-06-18 taskset -c 1 \
  wrk -t 2 -c 32 -d "${soak}s" -s "$here/mcp_post.lua" "http://127.0.0.1:$port/mcp" >"$work/soak.txt" &
load=$!
for ((t = 10; t <= soak; t += 10)); do
  sleep 10
  echo "$t $(rss_kb "$pid")"
done
wait "$load"
awk '/^RESULT/{print "soak: " $2 " requests/s, " $6 " requests, " $5 " errors"}' "$work/soak.txt"
