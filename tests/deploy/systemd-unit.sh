#!/usr/bin/env bash
# installers/systemd/prodmcp-server.service: systemd-analyze verify finds nothing to say, the
# hardening directives are there, and systemd-analyze security scores its exposure no worse than
# recorded (lower is better; raise the bar when the unit gets tighter, never lower it quietly).
#   systemd-unit.sh SERVER_BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
server=${1:?usage: $0 SERVER_BINARY}
unit=$here/../../installers/systemd/prodmcp-server.service
max_exposure=1.1  # systemd 252 (Debian 12), --offline=yes
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# verify checks that ExecStart is executable: the real binary stands in for the installed one.
copy=$work/prodmcp-server.service
sed "s#^ExecStart=/usr/bin/prodmcp-server #ExecStart=$server #" "$unit" >"$copy"
grep -q "^ExecStart=$server " "$copy" || fail "ExecStart must start with /usr/bin/prodmcp-server"
# verify exits 0 on unknown keys and bad values, only warning: any output is a failure.
out=$(systemd-analyze verify "$copy" 2>&1) || fail "systemd-analyze verify: $out"
[[ -z $out ]] || fail "systemd-analyze verify: $out"
echo "systemd-analyze verify: no findings"

# shellcheck disable=SC2016  # $MAINPID is literal text of the unit
required=(
  'ExecStart=/usr/bin/prodmcp-server serve --config /etc/prodmcp/prodmcp.toml'
  'ExecReload=/bin/kill -HUP $MAINPID' 'EnvironmentFile=-/etc/prodmcp/prodmcp.env' 'Restart=on-failure'
  'DynamicUser=yes' 'NoNewPrivileges=yes' 'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes'
  'PrivateDevices=yes' 'ProtectKernelTunables=yes' 'ProtectKernelModules=yes' 'ProtectKernelLogs=yes'
  'ProtectControlGroups=yes' 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX'
  'SystemCallFilter=@system-service' 'MemoryDenyWriteExecute=yes' 'CapabilityBoundingSet='
)
for line in "${required[@]}"; do
  grep -qxF -- "$line" "$unit" || fail "the unit lacks the line: $line"
done
grep -qE '^LimitNOFILE=[0-9]+$' "$unit" || fail "the unit needs LimitNOFILE="

# The server must be able to drain before systemd sends SIGKILL.
grace=$("$server" describe-config | jq '.keys[] | select(.key == "server.shutdown_grace_s") | .default')
stop=$(sed -nE 's/^TimeoutStopSec=([0-9]+)s?$/\1/p' "$unit")
if [[ -z $stop ]] || ((stop <= grace)); then
  fail "TimeoutStopSec (${stop:-unset}) must exceed server.shutdown_grace_s ($grace s)"
fi

# --threshold takes the exposure times ten.
threshold=$(awk -v e="$max_exposure" 'BEGIN { printf "%d", e * 10 + 0.5 }')
if ! out=$(systemd-analyze security --offline=yes --threshold="$threshold" "$copy" 2>&1); then
  echo "$out" | grep -v '✓'
  fail "the exposure got worse than $max_exposure"
fi
echo "$out" | grep 'Overall exposure level'
