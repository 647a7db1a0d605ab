#!/usr/bin/env bash
# What the production layer costs besides throughput (which run-config-bench.sh compares with the
# bare engine for the production, development and Redis stacks), measured on this machine:
#  1. p50 latency of a cached tool call answered from Redis against one answered from memory;
#  2. RSS of the full stack (JSON request logs, metrics, bearer auth, rate limit) under steady load
#     for SOAK seconds (default 300), sampled every 10 s.
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
echo "# columns: connections requests/s p50_ms p99_ms errors requests; ${duration}s per point"

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
