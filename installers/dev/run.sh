#!/usr/bin/env bash
# The two set-up commands of the README, for a fresh Debian 12 machine. Safe to re-run.
#   run.sh console   install what is needed, build, and run the console with the embedded default
#   run.sh test      install what is needed, build with warnings as errors, run every test, then
#                    run the unit tests, the fuzz corpora and the gateway, streaming and stdio tests
#                    again under AddressSanitizer + UndefinedBehaviorSanitizer, and the integration
#                    tests that reload, stream and proxy built with ThreadSanitizer, server included
#   run.sh tsan      only the ThreadSanitizer part of `test`
#   run.sh fuzz [SECONDS] [TARGET...]
#                    build the libFuzzer targets with clang and fuzz each for SECONDS (default 60),
#                    two at a time; new inputs go to build-fuzz/corpus, crashes to build-fuzz/crashes
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
command=${1:-}
jobs=$(nproc)
# Cache hits across checkouts in different folders (a CI clone reuses a developer's objects).
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1

extra_packages=()
[[ $command == fuzz ]] && extra_packages=(clang-16 libclang-rt-16-dev time)
bash installers/dev/install-deps.sh "${extra_packages[@]}"

# The official conformance suite and Node 22 come from npm, pinned by package-lock.json.
install_npm_packages() {
  local dir=tests/conformance stamp=tests/conformance/node_modules/.installed-lock
  if [[ ! -f $stamp ]] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$stamp"
  fi
}

# Line tables are all the test builds need for stack traces; full debug info costs a fifth of a
# cold build.
ci_flags=(-DPRODMCP_WERROR=ON -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" -DCMAKE_CXX_FLAGS_DEBUG="-g1")

configure_and_build() {  # build-dir [--target T]... cmake options...
  local dir=$1 target=()
  shift
  while [[ ${1:-} == --target ]]; do target+=(--target "$2"); shift 2; done
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs" "${target[@]}"
}

# The integration tests that reload, stream and proxy, built with ThreadSanitizer, against a server
# (and the gateways' stdio upstreams) built with it too. -O1 halves the build and keeps reports exact.
run_thread_sanitized() {
  configure_and_build build-tsan --target prodmcp-server --target prodmcp_integration_tests \
    --target prodmcp_fake_upstream -DPRODMCP_SANITIZE_THREAD=ON -DPRODMCP_WERROR=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
    -DPRODMCP_BUILD_CONSOLE=OFF -DPRODMCP_BUILD_BENCH=OFF
  local reports
  reports=$(mktemp -d)
  (cd build-tsan && TSAN_OPTIONS="log_path=$reports/tsan:halt_on_error=0:second_deadlock_stack=1:suppressions=$root/tests/tsan.supp" \
    ctest --output-on-failure -j "$jobs" -R '^(ConfigReload|Gateway|GatewayHttp|Streaming|Stdio|Sessions|AdminEndpoint)\.' \
    -E 'Replicas|Https')
  if compgen -G "$reports/*" >/dev/null; then
    echo "ThreadSanitizer reports from the tests or the servers they ran:" >&2
    head -n 80 "$reports"/* >&2
    exit 1
  fi
  rm -rf "$reports"
  echo "no ThreadSanitizer reports"
}

case $command in
  console)
    configure_and_build build -DPRODMCP_BUILD_TESTS=OFF
    exec build/bin/prodmcp-console "${@:2}"
    ;;
  test)
    start=$(date +%s)
    install_npm_packages
    configure_and_build build-ci "${ci_flags[@]}"
    (cd build-ci && ctest --output-on-failure -j "$jobs" --timeout 900)
    configure_and_build build-sanitize --target prodmcp_unit_tests --target prodmcp_console_unit_tests \
      --target prodmcp-server --target prodmcp_fake_upstream --target prodmcp_integration_tests --target prodmcp_fuzz_replay \
      "${ci_flags[@]}" -DPRODMCP_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DPRODMCP_BUILD_CONSOLE=ON
    (cd build-sanitize && QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j "$jobs" -L unit)
    # The gateway, streaming and stdio tests against a sanitized server: its reports go to files
    # (a server's stderr is its log), and any report fails the run. Leaks are not looked for here:
    # the tests kill servers and children on purpose.
    reports=$(mktemp -d)
    (cd build-sanitize && ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=0" \
      UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1" \
      ctest --output-on-failure -j "$jobs" -R '^(Gateway|GatewayHttp|Streaming|Stdio)\.' -E 'Replicas|Https')
    if compgen -G "$reports/*" >/dev/null; then
      echo "sanitizer reports from the servers under test:" >&2
      head -n 60 "$reports"/* >&2
      exit 1
    fi
    rm -rf "$reports"
    run_thread_sanitized
    echo "all tests passed in $(( $(date +%s) - start )) s"
    ;;
  tsan)
    run_thread_sanitized
    ;;
  fuzz)
    seconds=${2:-60}
    CXX=clang++-16 configure_and_build build-fuzz --target fuzz_targets -DPRODMCP_FUZZ=ON \
      -DPRODMCP_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
    targets=("${@:3}")
    if ((${#targets[@]} == 0)); then
      for binary in build-fuzz/bin/fuzz_*; do targets+=("${binary##*/fuzz_}"); done
    fi
    mkdir -p build-fuzz/crashes build-fuzz/logs
    fuzz_one() {  # target: fuzz it for $seconds, new inputs beside a copy of the seeds
      local target=$1 corpus=build-fuzz/corpus/$1
      mkdir -p "$corpus"
      local status=0 log=build-fuzz/logs/$1.log
      # CPU seconds (user + system) as the kernel counted them, not the wall time asked for.
      command time -f '%U %S' -o build-fuzz/logs/"$target".cpu \
        build-fuzz/bin/fuzz_"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix=build-fuzz/crashes/"$target"- "$corpus" tests/fuzz/corpus/"$target" \
        >"$log" 2>&1 || status=$?
      local runs cpu
      runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
      cpu=$(awk 'END { printf "%.0f", $1 + $2 }' build-fuzz/logs/"$target".cpu 2>/dev/null || echo "?")
      echo "$target: ${cpu} CPU s, ${runs:-0} runs, corpus $(ls "$corpus" | wc -l), exit $status"
      return $status
    }
    failed=0
    for ((i = 0; i < ${#targets[@]}; i += jobs)); do
      pids=()
      for target in "${targets[@]:i:jobs}"; do fuzz_one "$target" & pids+=($!); done
      for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
    done
    if ((failed)); then
      echo "a target failed: its input is in build-fuzz/crashes, its log in build-fuzz/logs" >&2
      exit 1
    fi
    ;;
  *)
    echo "usage: $0 console|test|tsan|fuzz" >&2
    exit 2
    ;;
esac
