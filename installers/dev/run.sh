#!/usr/bin/env bash
# The two set-up commands of the README, for a fresh Debian 12 machine. Safe to re-run.
#   run.sh console   install what is needed, build, and run the console with the embedded default
#   run.sh test      install what is needed, build with warnings as errors, run every test, then
#                    run the unit tests and the gateway, streaming and stdio tests again under
#                    AddressSanitizer + UndefinedBehaviorSanitizer
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
command=${1:-}
jobs=$(nproc)
# Cache hits across checkouts in different folders (a CI clone reuses a developer's objects).
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1

bash installers/dev/install-deps.sh

# The official conformance suite and Node 22 come from npm, pinned by package-lock.json.
install_npm_packages() {
  local dir=tests/conformance stamp=tests/conformance/node_modules/.installed-lock
  if [[ ! -f $stamp ]] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$stamp"
  fi
}

configure_and_build() {  # build-dir [--target T]... cmake options...
  local dir=$1 target=()
  shift
  while [[ ${1:-} == --target ]]; do target+=(--target "$2"); shift 2; done
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs" "${target[@]}"
}

case $command in
  console)
    configure_and_build build -DPRODMCP_BUILD_TESTS=OFF
    exec build/bin/prodmcp-console "${@:2}"
    ;;
  test)
    start=$(date +%s)
    install_npm_packages
    configure_and_build build-ci -DPRODMCP_WERROR=ON
    (cd build-ci && ctest --output-on-failure -j "$jobs" --timeout 900)
    configure_and_build build-sanitize --target prodmcp_unit_tests --target prodmcp_console_unit_tests \
      --target prodmcp-server --target prodmcp_fake_upstream --target prodmcp_integration_tests \
      -DPRODMCP_WERROR=ON -DPRODMCP_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DPRODMCP_BUILD_CONSOLE=ON
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
    echo "all tests passed in $(( $(date +%s) - start )) s"
    ;;
  *)
    echo "usage: $0 console|test" >&2
    exit 2
    ;;
esac
