#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace prodmcp::util {

// Hex of `bytes` cryptographically random bytes: session ids, secrets, correlation ids.
std::string random_hex(std::size_t bytes);
// Whether `text` has the form random_hex(bytes) gives (lower-case hex, two digits a byte).
bool is_random_hex(std::string_view text, std::size_t bytes);

// A 32-hex-digit id unique within this process and, with overwhelming likelihood, across
// processes: a random per-thread prefix and a counter. Cheap enough for every request
// (correlation ids); not a secret.
std::string unique_id();

}  // namespace prodmcp::util
