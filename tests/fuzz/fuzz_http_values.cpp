// Header values the MCP and admin ports judge: 2026-07-28 mirrored headers (=?base64?...?=),
// Origin and Host, peer addresses, and a correlation id written into an error body.
#include <boost/json/parse.hpp>

#include "fuzz_target.hpp"
#include "http/correlation.hpp"
#include "http/http_listener.hpp"
#include "http/mirrored_headers.hpp"
#include "http/origin_policy.hpp"
#include "ops/admin_access.hpp"

PRODMCP_FUZZ_TARGET(http_values) {
  auto const text = prodmcp::fuzz::as_text(data, size);
  (void)prodmcp::http::decode_mirrored_header(text);
  static prodmcp::http::OriginPolicy const loopback(true, {"https://ops.example.com"});
  (void)loopback.origin_allowed(text);
  (void)loopback.host_allowed(text);
  (void)prodmcp::http::is_loopback_host(text);
  (void)prodmcp::ops::is_loopback_address(text);
  (void)prodmcp::http::canonical_address(text);
  (void)prodmcp::http::is_json_content_type(text);
  // A correlation id is ours, but the body it goes into may be any JSON-RPC error: it must stay JSON.
  auto const body = prodmcp::http::with_correlation_data(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"m"}})", text);
  boost::system::error_code error;
  (void)boost::json::parse(body, error);
  return 0;
}
