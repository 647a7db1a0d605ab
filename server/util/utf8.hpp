#pragma once
// Well-formed UTF-8 (RFC 3629) for text that goes out as JSON: header values and paths arrive as
// raw bytes, and a JSON document carrying invalid UTF-8 is rejected by strict parsers.
#include <cstddef>
#include <string>
#include <string_view>

namespace prodmcp::util {

// The length (1 to 4) of the well-formed sequence `text` starts with; 0 when it does not start
// with one (a stray continuation byte, an overlong form, a surrogate, past U+10FFFF, cut short).
std::size_t utf8_sequence_length(std::string_view text);
bool is_valid_utf8(std::string_view text);
// `text` with each byte that is not part of a well-formed sequence replaced by U+FFFD.
std::string to_valid_utf8(std::string_view text);

}  // namespace prodmcp::util
