#!/usr/bin/env bash
# The console's own CPU while it watches an idle server: 1 s metrics scrape, health polls, log
# stream and charts all live. Target: under 2% of one core. Measured from /proc (utime+stime of
# the console process only, not its server) over a window after a warm-up.
#   tests/bench/console-idle-cpu.sh BUILD_BIN_DIR [SECONDS] [PAGE]
set -euo pipefail
bin=${1:?usage: $0 BUILD_BIN_DIR [SECONDS] [PAGE]}
seconds=${2:-60}
page=${3:-Overview}
warmup=5
ticks=$(getconf CLK_TCK)
export QT_QPA_PLATFORM=offscreen
"$bin/prodmcp-console" --server-binary "$bin/prodmcp-server" --page "$page" >/dev/null 2>&1 &
console=$!
trap 'kill $console 2>/dev/null || true; wait 2>/dev/null || true' EXIT
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
server_pid() { cut -d' ' -f1 "/proc/$console/task/$console/children"; }
sleep "$warmup"
server=$(server_pid)
[[ -n $server ]] || { echo "the console started no server" >&2; exit 1; }
console_start=$(cpu_ticks "$console")
server_start=$(cpu_ticks "$server")
sleep "$seconds"
console_used=$(( $(cpu_ticks "$console") - console_start ))
server_used=$(( $(cpu_ticks "$server") - server_start ))
awk -v page="$page" -v c="$console_used" -v s="$server_used" -v t="$ticks" -v n="$seconds" 'BEGIN {
  printf "console (page %s): %.2f%% of one core over %d s (target < 2%%)\n", page, 100 * c / t / n, n
  printf "server it watches: %.2f%% of one core\n", 100 * s / t / n }'
rss=$(awk '/VmRSS/ {print $2}' "/proc/$console/status")
echo "console RSS: $((rss / 1024)) MiB"
