#!/usr/bin/env bash
# Throughput and latency of prodmcp-server against two references measured in the same run:
# nginx returning a static JSON body of the same size (the practical limit of one HTTP core) and
# the official TypeScript reference server (@modelcontextprotocol/server-everything on Node).
# Each server runs pinned to core 0, wrk to core 1. Loopback only; bounded by DURATION per point.
#   tests/bench/run-bench.sh [SERVER_BINARY]      env: DURATION (s, default 5), CONNECTIONS
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
server=${1:-$root/build/bin/prodmcp-server}
duration=${DURATION:-5}
read -r -a connections <<<"${CONNECTIONS:-1 4 32 256}"
node22=$root/tests/conformance/node_modules/node22/bin/node
everything=$root/tests/conformance/node_modules/@modelcontextprotocol/server-everything/dist/index.js
source "$here/bench-lib.sh"

echo "# machine: $(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)"
echo "# duration ${duration}s per point; connections: ${connections[*]}"

# --- prodmcp-server, one worker on core 0
start_server "$work/prodmcp.log" "${bare[@]}"
prodmcp=$pid
echo "prodmcp idle RSS KiB: $(rss_kb "$prodmcp")"
session=$(open_session "http://127.0.0.1:$port/mcp")
ping_reply=$(curl -s "${hdr[@]}" -H "Mcp-Session-Id: $session" "http://127.0.0.1:$port/mcp" -d "$ping")
echo "== prodmcp ping";      measure "http://127.0.0.1:$port/mcp" "$ping" "$session"
echo "== prodmcp echo";      measure "http://127.0.0.1:$port/mcp" "$echo_call" "$session"
# Latency at about half of the peak: connections that each send a request a millisecond after the
# last answer, as many as half the peak ping rate allows.
peak=$(measure "http://127.0.0.1:$port/mcp" "$ping" "$session" 32 | awk '{print $2}')
half=$(( peak / 2000 > 0 ? peak / 2000 : 1 ))
echo "== prodmcp ping at half of peak ($peak requests/s): $half connections, 1 ms apart"
DELAY_MS=1 measure "http://127.0.0.1:$port/mcp" "$ping" "$session" "$half"

# Sessions cost: open sessions for 1 s (initialize only) and compare RSS per session.
before=$(rss_kb "$prodmcp")
created=$(BODY=$init taskset -c 1 wrk -t 1 -c 4 -d 1s -s "$here/mcp_post.lua" "http://127.0.0.1:$port/mcp" |
  awk '/^RESULT/{print $6}')
sleep 0.2
after=$(rss_kb "$prodmcp")
echo "prodmcp sessions: $created opened, RSS KiB $before -> $after, $(( (after - before) * 1024 / created )) bytes/session"
kill "$prodmcp"

# --- prodmcp-server, two workers on both cores (scaling; wrk shares core 1)
port=$(free_port)
"$server" --listen "127.0.0.1:$port" --workers 2 "${bare[@]}" 2>/dev/null &
pids+=("$!")
wait_port "$port"
session=$(open_session "http://127.0.0.1:$port/mcp")
echo "== prodmcp ping, 2 workers (unpinned, wrk shares the cores)"
measure "http://127.0.0.1:$port/mcp" "$ping" "$session" 32
kill "${pids[-1]}"

# --- nginx: a static body of the same size as the ping reply
port=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
daemon off; master_process off; worker_processes 1; pid $work/nginx/pid; error_log $work/nginx/error.log;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $work/nginx; keepalive_requests 1000000;
  server { listen 127.0.0.1:$port; location /mcp { default_type application/json; return 200 '$ping_reply'; } } }
CONF
taskset -c 0 nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=("$!")
wait_port "$port"
echo "== nginx static";      measure "http://127.0.0.1:$port/mcp" "$ping" ""
# The same paced load as prodmcp's half-peak point: the machine's own latency tail at that rate.
echo "== nginx static at prodmcp's half-peak pacing: $half connections, 1 ms apart"
DELAY_MS=1 measure "http://127.0.0.1:$port/mcp" "$ping" "" "$half"

# --- the official TypeScript reference server on Node
port=$(free_port)
PORT=$port taskset -c 0 "$node22" "$everything" streamableHttp >"$work/everything.log" 2>&1 &
pids+=("$!")
wait_port "$port"
session=$(open_session "http://127.0.0.1:$port/mcp")
echo "== node reference ping"; measure "http://127.0.0.1:$port/mcp" "$ping" "$session"
echo "== node reference echo"
measure "http://127.0.0.1:$port/mcp" '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"}}}' "$session"
