// What clients echo back: a sealed 2026-07-28 requestState, a list cursor, and base64 headers.
#include <boost/json/object.hpp>

#include "fuzz_target.hpp"
#include "protocol/jsonrpc.hpp"
#include "protocol/pagination.hpp"
#include "protocol/request_state.hpp"

PRODMCP_FUZZ_TARGET(request_state) {
  auto const text = prodmcp::fuzz::as_text(data, size);
  static prodmcp::protocol::RequestStateCodec const codec("a fixed secret for fuzzing");
  (void)codec.open(text);
  (void)prodmcp::protocol::base64url_decode(text);
  (void)prodmcp::protocol::base64_decode(text);
  boost::json::object params{{"cursor", text}};
  try {
    auto const page = prodmcp::protocol::page_of(params, 1000, 50);
    if (page.begin > page.end || page.end > 1000) __builtin_trap();
  } catch (prodmcp::protocol::RpcError const& error) {
    if (error.code != -32602) __builtin_trap();  // a bad cursor is the client's mistake, said so
  }
  return 0;
}
