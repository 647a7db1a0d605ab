#pragma once
#include <string>

namespace prodmcp::util {

// `${NAME}` replaced by the variable's value from the process environment (empty when unset):
// how upstream env values and headers take secrets without writing them into the config.
std::string expand_environment(std::string const& text);

}  // namespace prodmcp::util
