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

-- UNIQUE_IDS=1: every request its own JSON-RPC id (as a client must while requests of one session
-- are in flight at once); otherwise BODY is sent as it is.
if os.getenv("UNIQUE_IDS") == "1" then
  local sent = 0
  local prefix
  init = function(args)
    math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16))
    prefix = tostring(math.random(1, 1e9))
  end
  request = function()
    sent = sent + 1
    local body = wrk.body:gsub('"id":%d+', '"id":"' .. prefix .. '-' .. sent .. '"', 1)
    return wrk.format(nil, nil, nil, body)
  end
end

-- DELAY_MS=n: each connection waits n ms after a response before its next request, so the load
-- is about connections * 1000 / n requests/s (the latency at a chosen fraction of the peak).
local pause = tonumber(os.getenv("DELAY_MS") or "")
if pause then delay = function() return pause end end

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
