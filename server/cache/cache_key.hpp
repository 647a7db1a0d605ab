#pragma once
// The cache key of a tool call: the tool and its arguments in canonical JSON (object keys sorted
// at every depth), hashed, so equal calls share an entry whatever the key order on the wire.
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace prodmcp::cache {

std::string canonical_json(boost::json::value const& value);
// "prodmcp:tool:<tool>:<sha-256 hex of the canonical arguments>"
std::string tool_cache_key(std::string_view tool, boost::json::value const& arguments);

}  // namespace prodmcp::cache
