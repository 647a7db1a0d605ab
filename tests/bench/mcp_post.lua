-- wrk script: POSTs one MCP JSON-RPC message (BODY) with the headers an MCP client sends.
wrk.method = "POST"
wrk.body = os.getenv("BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
local session = os.getenv("SESSION")
if session and session ~= "" then wrk.headers["Mcp-Session-Id"] = session end
local authorization = os.getenv("AUTHORIZATION")
if authorization and authorization ~= "" then wrk.headers["Authorization"] = authorization end
local version = os.getenv("PROTOCOL_VERSION")
if version and version ~= "" then wrk.headers["MCP-Protocol-Version"] = version end

local non_2xx = 0
response = function(status, headers, body)
  if status < 200 or status > 299 then non_2xx = non_2xx + 1 end
end

-- One machine-readable line: requests/s, p50 ms, p99 ms, errors, requests.
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status +
                 summary.errors.timeout
  io.write(string.format("RESULT %.0f %.3f %.3f %d %d\n", summary.requests / (summary.duration / 1e6),
                         latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors, summary.requests))
end
