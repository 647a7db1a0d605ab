#pragma once
// 2026-07-28: the headers that mirror a request's body for intermediaries (MCP-Protocol-Version,
// Mcp-Method, Mcp-Name, Mcp-Param-*) must agree with it; a mismatch is -32020.
#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/jsonrpc.hpp"

namespace prodmcp::protocol {
class Catalog;
}

namespace prodmcp::http {

// A request header's value (name case-insensitive), or nullopt when the request has none.
using HeaderLookup = std::function<std::optional<std::string_view>(std::string_view name)>;

// A mirrored header's value: visible ASCII as is, anything else sent as `=?base64?...?=` (decoded
// here). nullopt for a value that is neither (raw non-ASCII, bad base64).
std::optional<std::string> decode_mirrored_header(std::string_view value);

// The first header that disagrees with `message` (a request), or nullopt when all agree.
std::optional<protocol::RpcError> check_mirrored_headers(HeaderLookup const& headers, boost::json::object const& message,
                                                         protocol::Catalog const& catalog);

}  // namespace prodmcp::http
