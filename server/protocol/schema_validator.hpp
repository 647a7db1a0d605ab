#pragma once
// Validates tool arguments against the tool's inputSchema. Covers the JSON Schema keywords tool
// schemas use (type, properties, required, additionalProperties, items, enum, const, min/max,
// lengths, pattern-free string checks, allOf/anyOf/oneOf/not, $ref to local $defs); unknown
// keywords are ignored, as the specification allows.
#include <boost/json/value.hpp>
#include <optional>
#include <string>

namespace prodmcp::protocol {

// The first violation as "at /path: what is wrong", or nothing when `instance` conforms.
std::optional<std::string> validate_against_schema(boost::json::value const& instance,
                                                   boost::json::value const& schema);

}  // namespace prodmcp::protocol
