#!/usr/bin/env bash
# What the systemd unit's sandbox forbids, checked on the real server without systemd: it runs under
# strace through start-up, traffic, a SIGHUP reload and a SIGTERM drain, and check-syscalls.py holds
# the trace against the unit's SystemCallFilter, RestrictAddressFamilies, MemoryDenyWriteExecute and
# ProtectSystem=strict.
#   systemd-sandbox.sh SERVER_BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
server=${1:?usage: $0 SERVER_BINARY}
source "$here/server-lib.sh"

printf '[logging]\nlevel = "info"\n' >"$work/prodmcp.toml"
start_server strace -f -qq -o "$work/strace.log" -- "$server" serve --config "$work/prodmcp.toml"
traced=$(pgrep -P "$server_pid") || fail "no server process under strace"
exercise_server
curl -sf -m 5 -o /dev/null "http://127.0.0.1:$admin_port/metrics" || fail "GET /metrics failed"
kill -HUP "$traced"
for _ in $(seq 100); do grep -q '"event":"config_reloaded"' "$work/server.log" && break; sleep 0.05; done
grep -q '"event":"config_reloaded"' "$work/server.log" || fail "no reload logged after SIGHUP"
kill -TERM "$traced"
for _ in $(seq 300); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.05; done
wait "$server_pid" || fail "the server exited with status $? after SIGTERM"
server_pid=""
grep -q '"event":"stopped"' "$work/server.log" || fail "the server did not log a clean stop"

/usr/bin/python3 "$here/check-syscalls.py" "$here/../../installers/systemd/prodmcp-server.service" "$work/strace.log" "$work"
