#!/usr/bin/env bash
# MCP Inspector (pinned in package-lock.json) in CLI mode against prodmcp-server, the way a new user
# tries a server: list and call everything, over HTTP (legacy sessions and the modern stateless era)
# and over stdio, then a short bounded load run.
#   run-inspector-cli.sh SERVER_BINARY http-legacy|http-modern|stdio
set -euo pipefail
server=$1 mode=$2
source "$(dirname "$0")/server-on-free-port.sh"
launcher=$here/node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js
[[ -f $launcher ]] || { echo "the Inspector is not installed: run 'npm ci' in tests/conformance" >&2; exit 1; }

case $mode in
  http-legacy | http-modern)
    start_server "$server"
    target=(--protocol-era "${mode#http-}" "http://localhost:$port/mcp")
    ;;
  stdio)
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    target=("$server" --stdio)
    ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
esac
export HOME=$work  # the Inspector keeps its catalog and client state under ~/.mcp-inspector

failures=0
inspect() {  # inspect JQ_CHECK ARGS...: one Inspector call whose JSON result must satisfy JQ_CHECK
  local check=$1
  shift
  local output
  if ! output=$(timeout 60 "$node" "$launcher" --cli "${target[@]}" --format json -q "$@" 2>"$work/stderr"); then
    echo "FAIL $*: the Inspector exited non-zero: $(head -c 600 "$work/stderr")"
    failures=$((failures + 1))
  elif ! jq -e "$check" <<<"$output" >/dev/null; then
    echo "FAIL $*: result does not satisfy $check: $(head -c 600 <<<"$output")"
    failures=$((failures + 1))
  else
    echo "ok   $*"
  fi
}

inspect_tool_error() {  # inspect_tool_error ARGS...: a tool call the Inspector must report as isError (exit 5)
  local status=0
  timeout 60 "$node" "$launcher" --cli "${target[@]}" --format json -q "$@" >"$work/stdout" 2>"$work/stderr" || status=$?
  if grep -q '"tool_is_error"' "$work/stderr"; then
    echo "ok   $* (isError, exit $status)"
  else
    echo "FAIL $*: expected a tool error, got exit $status: $(head -c 600 "$work/stdout" "$work/stderr")"
    failures=$((failures + 1))
  fi
}

inspect '[.result.tools[].name] | contains(["echo","server_status","http_status_lookup","simulate_workload"])' \
  --method tools/list --strict
inspect '.result.structuredContent.message == "hello inspector"' \
  --method tools/call --tool-name echo --tool-arg 'message=hello inspector'
inspect '.result.structuredContent.name == "Not Found" and .result.structuredContent.retryable == false' \
  --method tools/call --tool-name http_status_lookup --tool-arg code=404
inspect '.result.structuredContent.version | type == "string"' \
  --method tools/call --tool-name server_status
inspect '.result.isError != true' \
  --method tools/call --tool-name simulate_workload --tool-args-json '{"duration_ms":50,"steps":2}'
inspect_tool_error --method tools/call --tool-name http_status_lookup --tool-arg code=999
inspect '[.result.resources[].uri] | index("prodmcp://server/status") != null' --method resources/list
inspect '.result.contents[0].text | fromjson | has("uptime_seconds")' \
  --method resources/read --uri prodmcp://server/status
inspect '[.result.resourceTemplates[].uriTemplate] | index("prodmcp://http-status/{code}") != null' \
  --method resources/templates/list
inspect '.result.contents[0].text | fromjson | .code == 429' \
  --method resources/read --uri prodmcp://http-status/429
inspect '[.result.prompts[].name] | index("incident_summary") != null' --method prompts/list
inspect '.result.messages[0].content.text | contains("checkout")' \
  --method prompts/get --prompt-name incident_summary --prompt-args service=checkout 'symptom=high latency'
# logging/setLevel is a session method: the stateless 2026-07-28 revision has no such request.
[[ $mode == http-modern ]] || inspect '.result != null' --method logging/setLevel --log-level debug

# A bounded load run through the Inspector: 200 calls, 8 at a time, none may fail.
inspect '.result.requests == 200 and .result.ok == 200 and .result.errors == 0' \
  --method tools/call --tool-name echo --tool-arg message=load --load --load-requests 200 --load-concurrency 8

if ((failures > 0)); then
  [[ -f $work/server.log ]] && { echo "--- server log (tail) ---"; tail -40 "$work/server.log"; }
  exit 1
fi
