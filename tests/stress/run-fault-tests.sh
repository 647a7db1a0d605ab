#!/usr/bin/env bash
# Runs the fault tests (Redis killed under load, slow Redis, a replica killed, a rolling restart,
# one rate limit shared by replicas) ROUNDS times at -j JOBS under ctest while a CPU hog keeps
# every core busy, then prints how often each test passed. Not part of CI: a soak, run by hand.
#
#   tests/stress/run-fault-tests.sh [BUILD_DIR] [ROUNDS]     (defaults: build-ci, 50)
#   JOBS=2 HOG=1 FILTER='^(RedisFaults|ScaleOut)\.' tests/stress/run-fault-tests.sh build 10
#
# A failing test's ctest output (with the server's log tail) is kept in BUILD_DIR/stress/.
set -euo pipefail
build=${1:-build-ci}
rounds=${2:-50}
jobs=${JOBS:-2}
hog=${HOG:-1}  # 0: no CPU hog
filter=${FILTER:-'^(RedisFaults|RedisClient|RedisRateLimiter|ReplicasSharingRedis|ScaleOut)\.'}

[[ -f $build/CTestTestfile.cmake ]] || { echo "no ctest tree in $build; build it first" >&2; exit 2; }
out=$build/stress
rm -rf "$out" && mkdir -p "$out"

hogs=()
stop_hogs() { for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap stop_hogs EXIT
if [[ $hog != 0 ]]; then
  # One busy loop per core, at the tests' own priority: they get only what the scheduler shares out.
  for _ in $(seq "$(nproc)"); do
    bash -c 'while :; do :; done' &
    hogs+=($!)
  done
fi

declare -A passed failed
started=$(date +%s)
for round in $(seq "$rounds"); do
  log=$out/round-$round.log
  (cd "$build" && ctest -j "$jobs" -R "$filter" --output-on-failure --timeout 300) >"$log" 2>&1 || true
  while read -r name verdict; do
    if [[ $verdict == Passed ]]; then
      passed[$name]=$(( ${passed[$name]:-0} + 1 ))
    else
      failed[$name]=$(( ${failed[$name]:-0} + 1 ))
    fi
  done < <(sed -nE 's/^ *[0-9]+\/[0-9]+ Test +#[0-9]+: ([^ ]+) \.+[ *]*([A-Za-z]+).*/\1 \2/p' "$log")
  grep -q '^100% tests passed' "$log" && rm -f "$log"
  printf "round %d of %d: %d s so far, rounds with a failure: %d\n" "$round" "$rounds" $(( $(date +%s) - started )) \
    "$(ls "$out" | wc -l)"
done

echo
echo "passes per test over $rounds rounds at -j $jobs$([[ $hog != 0 ]] && echo ", $(nproc) cores kept busy"):"
for name in $(printf '%s\n' "${!passed[@]}" "${!failed[@]}" | sort -u); do
  printf '  %3d of %d  %s\n' "${passed[$name]:-0}" "$rounds" "$name"
done
echo "time: $(( $(date +%s) - started )) s; logs of failed rounds: $out/"
for name in "${!failed[@]}"; do exit 1; done
