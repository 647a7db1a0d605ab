#!/usr/bin/env bash
# The shipped Prometheus alert rules: generated from the console's own alert table (so the two
# cannot drift), valid for promtool, and behaving as their unit tests say.
#   alert-rules.sh PRODMCP_CONSOLE
set -euo pipefail
console=${1:?usage: $0 PRODMCP_CONSOLE}
rules_dir=$(cd "$(dirname "$0")/../../installers/prometheus" && pwd)
if ! diff -u "$rules_dir/prodmcp-alerts.yml" <("$console" --print-alert-rules); then
  echo "installers/prometheus/prodmcp-alerts.yml is not what the console's alert table generates;" >&2
  echo "regenerate it: prodmcp-console --print-alert-rules > installers/prometheus/prodmcp-alerts.yml" >&2
  exit 1
fi
promtool check rules "$rules_dir/prodmcp-alerts.yml"
cd "$rules_dir" && promtool test rules prodmcp-alerts.test.yml
