#!/usr/bin/env bash
# The Grafana dashboard and its provisioning files are consistent, its PromQL parses, and every
# metric it reads is one the real server exports (scraped from a running prodmcp-server).
#   dashboard.sh SERVER_BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
server=${1:?usage: $0 SERVER_BINARY}
source "$here/server-lib.sh"

start_server -- "$server"
exercise_server
curl -sf -m 5 "http://127.0.0.1:$admin_port/metrics" >"$work/metrics.txt" || fail "GET /metrics failed"
stop_server || fail "the server exited with status $? after SIGTERM"

/usr/bin/python3 "$here/check-dashboard.py" "$here/../../installers/grafana" "$work/metrics.txt" "$work"
