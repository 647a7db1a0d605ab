#!/usr/bin/env bash
# What each layer of a real deployment costs, against the bare engine, in alternating rounds so
# drift on the machine hits every configuration alike (the means are compared):
#   bare        no request logs, no rate limit, no admin port, no Redis (bench-lib.sh)
#   production  JSON request logs at info, metrics on the admin port, bearer auth, rate limit
#   development the development profile's defaults (debug logs, metrics), rate limit budget raised
#   limited     rate limit on (budget raised), sessions and the limit in this process
#   redis       the same with cache.redis_url: sessions shared in Redis, one rate limit in Redis
# Server on core 0, wrk and redis-server on core 1; loopback only; every phase is bounded.
#   tests/bench/run-config-bench.sh [SERVER_BINARY]   env: DURATION (s, default 5), ROUNDS (default 3)
# Prints "stack call connections requests/s p50_ms p99_ms errors requests" lines, then the means.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
server=${1:-$root/build/bin/prodmcp-server}
duration=${DURATION:-5}
connections=(32)
source "$here/bench-lib.sh"

token=bench-token-0123456789
hash=$(printf %s "$token" | "$server" hash-token)
budget=(--set rate_limit.enabled=true --set rate_limit.requests_per_minute=100000000 --set rate_limit.burst=100000000)
redis_port=$(free_port)
taskset -c 1 redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" >/dev/null &
pids+=("$!")
wait_port "$redis_port"

stack_args() {  # stack -> the server's arguments
  case $1 in
    bare) echo "${bare[*]}" ;;
    production) echo "--set logging.level=info --set auth.enabled=true --set auth.clients=bench=$hash ${budget[*]}" \
      "--set server.admin_listen=127.0.0.1:0 --set cache.redis_url=" ;;
    development) echo "--profile development ${budget[*]} --set server.admin_listen=127.0.0.1:0 --set cache.redis_url=" ;;
    limited) echo "${bare[*]} ${budget[*]}" ;;
    redis) echo "${bare[*]} ${budget[*]} --set cache.redis_url=redis://127.0.0.1:$redis_port" ;;
  esac
}

echo "# machine: $(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)"
echo "# columns: stack call connections requests/s p50_ms p99_ms errors requests; ${duration}s per point"
plain_hdr=("${hdr[@]}")
for ((round = 1; round <= ${ROUNDS:-3}; round++)); do
  for stack in bare production development limited redis; do
    read -r -a args <<<"$(stack_args "$stack")"
    start_server "$work/$stack.log" "${args[@]}"
    hdr=("${plain_hdr[@]}")
    unset AUTHORIZATION
    if [[ $stack == production ]]; then
      hdr+=(-H "Authorization: Bearer $token")
      export AUTHORIZATION="Bearer $token"
    fi
    session=$(open_session "http://127.0.0.1:$port/mcp")
    [[ -n $session ]] || { echo "$stack: no session (see the log below)" >&2; tail -5 "$work/$stack.log" >&2; exit 1; }
    measure "http://127.0.0.1:$port/mcp" "$ping" "$session" | sed "s/^/$stack ping /" | tee -a "$work/rounds.txt"
    measure "http://127.0.0.1:$port/mcp" "$echo_call" "$session" | sed "s/^/$stack echo /" | tee -a "$work/rounds.txt"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
  done
done
echo "redis: $(redis-cli -p "$redis_port" DBSIZE) keys; script runs: $(redis-cli -p "$redis_port" INFO commandstats |
  awk -F'[:=,]' '/cmdstat_eval/{n+=$3} END{print n+0}')"
awk '{sum[$1" "$2]+=$4; n[$1" "$2]++}
  END {
    for (m in n) printf "mean %s %.0f\n", m, sum[m] / n[m]
  }' "$work/rounds.txt" | sort
