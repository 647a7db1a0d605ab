#!/usr/bin/env bash
# Where a request's time goes: prodmcp-server pinned to core 0 (one worker, the bare engine) under
# wrk on core 1, sampled by `perf record` with DWARF call graphs. Prints `perf report` (self time, then the call graph
# of the top entries) for the call named by WHAT (echo or ping).
#
#   tests/bench/run-profile.sh build-ci/bin/prodmcp-server > docs/perf/echo-bare.txt
#   WHAT=ping DURATION=10 tests/bench/run-profile.sh build-ci/bin/prodmcp-server
#
# Needs linux-perf (`apt-get install linux-perf`) and permission to profile (root, or
# kernel.perf_event_paranoid <= 1). Debug info makes the symbols: use a RelWithDebInfo build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
server=${1:?usage: $0 SERVER_BINARY}
duration=${DURATION:-10}
what=${WHAT:-echo}
connections=(32)
source "$here/bench-lib.sh"
command -v perf >/dev/null || { echo "perf is missing: apt-get install linux-perf" >&2; exit 2; }
case $what in
  echo) body=$echo_call ;;
  ping) body=$ping ;;
  *) echo "WHAT must be echo or ping" >&2; exit 2 ;;
esac

start_server "$work/prodmcp.log" "${bare[@]}"
session=$(open_session "http://127.0.0.1:$port/mcp")
measure "http://127.0.0.1:$port/mcp" "$body" "$session" >/dev/null  # warm up
perf record -q --call-graph dwarf,16384 -F 499 -p "$pid" -o "$work/perf.data" -- sleep "$duration" 2>/dev/null &
recorder=$!
result=$(measure "http://127.0.0.1:$port/mcp" "$body" "$session")
wait "$recorder"
echo "# prodmcp-server, $what, ${connections[0]} connections, ${duration}s: connections rps p50_ms p99_ms errors requests"
echo "# $result"
echo "# machine: $(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), $(date -u +%F)"
report() { perf report -i "$work/perf.data" --stdio "$@" 2>/dev/null | grep -v -e '^#' -e '^$' | sed 's/ *$//'; }
echo "## self time by library"
report --no-children --sort dso -g none
echo "## self time by function (over 0.7%)"
report --no-children --percent-limit 0.7 -g none
echo "## the product's own functions, with what they call (over 1%)"
report --children --percent-limit 1 -g none | grep -E 'prodmcp::|json::(parse|serialize)' | sed -E 's/ +prodmcp-server +(prodmcp-server|libboost_json[^ ]*) +\[\.\] / /' | cut -c1-200
