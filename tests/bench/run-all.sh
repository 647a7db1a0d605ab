#!/usr/bin/env bash
# Every benchmark in one run, summarized in one table with the reference figures of the same run
# and the ratios against the targets: the server (against nginx and the Node reference), the
# production layers and Redis (against the bare engine), the engine's thread scaling, memory, and
# the console. Writes OUT/summary.md and OUT/summary.json, and each benchmark's output in OUT/raw.
#   tests/bench/run-all.sh [BUILD_DIR]     env: OUT (default BUILD_DIR/bench-summary), DURATION (s, default 5)
# A few minutes; loopback only. Paste summary.md into docs/benchmarks.md (with earlier runs kept).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
out=${OUT:-$build/bench-summary}
export DURATION=${DURATION:-5}
mkdir -p "$out/raw"
server=$build/bin/prodmcp-server
[[ -x $server ]] || { echo "no $server: build first" >&2; exit 2; }

echo "server and references..." >&2
CONNECTIONS=32 "$here/run-bench.sh" "$server" >"$out/raw/server.txt"
echo "configurations (bare, production, development, Redis)..." >&2
ROUNDS=${ROUNDS:-3} "$here/run-config-bench.sh" "$server" >"$out/raw/config.txt"
echo "engine micro-benchmark..." >&2
"$build/bin/prodmcp_micro_bench" --benchmark_filter=serve --benchmark_format=json >"$out/raw/micro.json" 2>/dev/null
for bench in console_bench console_logs_bench; do
  if [[ -x $build/bin/prodmcp_$bench ]]; then
    echo "$bench..." >&2
    "$build/bin/prodmcp_$bench" --benchmark_format=json >"$out/raw/$bench.json" 2>/dev/null
  fi
done
{
  echo "date=$(date -u +%FT%TZ)"
  echo "machine=$(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "commit=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)"
} >"$out/raw/run.txt"
python3 "$here/summarize.py" "$out"
cat "$out/summary.md"
