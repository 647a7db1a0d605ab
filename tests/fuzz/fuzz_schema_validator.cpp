// Tool arguments against a tool's inputSchema (an upstream's schema is not ours to trust either):
// the input is a schema and an instance, two JSON documents separated by a NUL byte.
#include <boost/json/parse.hpp>

#include "fuzz_target.hpp"
#include "protocol/schema_validator.hpp"

PRODMCP_FUZZ_TARGET(schema_validator) {
  namespace json = boost::json;
  auto const text = prodmcp::fuzz::as_text(data, size);
  auto const split = text.find('\0');
  if (split == std::string_view::npos) return 0;
  json::parse_options options;
  options.max_depth = 64;
  boost::system::error_code error;
  auto const schema = json::parse(text.substr(0, split), error, {}, options);
  if (error) return 0;
  auto const instance = json::parse(text.substr(split + 1), error, {}, options);
  if (error) return 0;
  (void)prodmcp::protocol::validate_against_schema(instance, schema);
  return 0;
}
