#pragma once
// The MCP Streamable HTTP endpoint (/mcp): every revision on one path. Session revisions get
// Mcp-Session-Id, resumable SSE streams and a standalone GET stream; 2026-07-28 requests are
// served statelessly from their _meta and mirrored headers.
#include <chrono>
#include <memory>

#include "http/http_exchange.hpp"
#include "http/origin_policy.hpp"
#include "ratelimit/rate_limiter.hpp"
#include "security/bearer_auth.hpp"
#include "protocol/engine.hpp"

namespace prodmcp::http {

struct McpEndpointOptions {
  OriginPolicy origins;
  std::chrono::milliseconds keepalive_interval{15'000};  // SSE comment lines on quiet streams
  std::chrono::milliseconds retry_interval{1'000};       // SSE retry: hint (2025-11-25)
  int max_json_depth = 64;
  security::BearerAuth const* auth = nullptr;  // null: no authentication
  ratelimit::RateLimiter* rate_limiter = nullptr;  // null: no rate limit
  std::vector<std::string> trusted_proxies;  // addresses whose X-Forwarded-For names the client
};

class McpEndpoint final : public Handler {
 public:
  McpEndpoint(protocol::Engine& engine, McpEndpointOptions options);
  ~McpEndpoint() override;
  asio::awaitable<void> serve(Exchange& exchange) override;
  // POST requests being served now (streams of GET excluded): what a graceful shutdown waits for.
  std::size_t requests_in_flight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace prodmcp::http
