#!/usr/bin/env bash
# Installs every Debian 12 package ProdMCP needs to build, test and run, and the packages named
# as arguments (run.sh fuzz: clang). Safe to re-run: it asks apt only for what is missing.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # server
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  prometheus-cpp-dev libhiredis-dev libspdlog-dev libfmt-dev
  libtomlplusplus-dev libcli11-dev libssl-dev
  # console (Qt Charts needs libqt6opengl6-dev, installed without recommends)
  qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6opengl6-dev libgl-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev redis-server prometheus wrk nginx-light haproxy
  xvfb xauth imagemagick curl jq procps util-linux openssl ca-certificates
  # deploy checks (tests/deploy): amtool, systemd-analyze, strace, YAML for /usr/bin/python3
  prometheus-alertmanager systemd strace python3-yaml
  # Node for the official MCP conformance suite and SDK clients
  nodejs npm
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

# Node/npm may come from the machine image rather than Debian; don't replace a working install.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi

if ((${#missing[@]})); then
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Debian starts redis-server, nginx, haproxy, prometheus and alertmanager as system services on install; the
# tests start their own instances on free ports (or none), so stop the system ones to keep the
# machine quiet.
for svc in redis-server nginx haproxy prometheus prometheus-alertmanager; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" 2>/dev/null || true
  fi
done
exit 0
