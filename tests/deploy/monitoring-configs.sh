#!/usr/bin/env bash
# The Prometheus and Alertmanager configs of the compose stack pass their own tools: promtool also
# loads the rule files the config names (the shipped alert rules, next to it), amtool the routes
# and receivers.
set -euo pipefail
installers=$(cd "$(dirname "$0")/../../installers" && pwd)
out=$(promtool check config "$installers/prometheus/prometheus.yml" 2>&1) || { echo "$out"; exit 1; }
echo "$out"
# promtool passes a config whose rule_files glob matches nothing; the alert rules must be loaded.
grep -q 'SUCCESS: 1 rule files found' <<<"$out" || { echo "FAIL: prometheus.yml loads no alert rules"; exit 1; }
amtool check-config "$installers/alertmanager/alertmanager.yml"
