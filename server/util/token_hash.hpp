#pragma once
// Bearer tokens are stored as "sha256:<hex>", so the config file never holds a usable token.
#include <string>
#include <string_view>

namespace prodmcp::util {

std::string hash_token(std::string_view token);  // "sha256:<64 hex digits>"

}  // namespace prodmcp::util
