// A JSON-RPC message as the MCP endpoint and stdio take it: parsed with the depth limit, its
// envelope classified, its id taken, and an error response built for it.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "fuzz_target.hpp"
#include "protocol/jsonrpc.hpp"

PRODMCP_FUZZ_TARGET(jsonrpc) {
  namespace json = boost::json;
  json::parse_options options;
  options.max_depth = 64;
  boost::system::error_code error;
  auto const message = json::parse(prodmcp::fuzz::as_text(data, size), error, {}, options);
  if (error) return 0;
  auto const items = message.is_array() ? message.as_array() : json::array{message};
  for (auto const& item : items) {
    auto const classification = prodmcp::protocol::classify(item);
    auto const id = prodmcp::protocol::id_of(item);
    auto const reply = prodmcp::protocol::make_error(id, -32600, classification.problem);
    (void)json::serialize(reply);
  }
  return 0;
}
