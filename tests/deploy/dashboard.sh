#!/usr/bin/env bash
# The Grafana dashboard and its provisioning files are consistent, its PromQL parses, and every
# metric it reads is one the real server exports (scraped from a running prodmcp-server and from
# one that is a gateway).
#   dashboard.sh SERVER_BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
server=${1:?usage: $0 SERVER_BINARY}
source "$here/server-lib.sh"

start_server -- "$server"
exercise_server
curl -sf -m 5 "http://127.0.0.1:$admin_port/metrics" >"$work/metrics.txt" || fail "GET /metrics failed"
stop_server || fail "the server exited with status $? after SIGTERM"

# The upstream panels read what a gateway exports: the same traffic through one in front of a
# stdio prodmcp-server.
start_server -- "$server" --upstream "demo=$server --stdio"
for _ in $(seq 300); do curl -sf -m 5 -o /dev/null "http://127.0.0.1:$admin_port/ready" && break; sleep 0.1; done
exercise_server
curl -sf -m 5 "http://127.0.0.1:$admin_port/metrics" >>"$work/metrics.txt" || fail "GET /metrics of the gateway failed"
stop_server || fail "the gateway exited with status $? after SIGTERM"

/usr/bin/python3 "$here/check-dashboard.py" "$here/../../installers/grafana" "$work/metrics.txt" "$work"
