#pragma once
#include <cstddef>
#include <string>

namespace prodmcp::util {

// Hex of `bytes` cryptographically random bytes: session ids, secrets, correlation ids.
std::string random_hex(std::size_t bytes);

}  // namespace prodmcp::util
