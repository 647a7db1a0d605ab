#pragma once
#include <functional>
#include <optional>
#include <string>

namespace prodmcp::util {

// `${NAME}` replaced by the variable's value (empty when unset): how upstream env values and
// headers take secrets without writing them into the config. The value comes from `lookup`, or
// the process environment.
using VariableLookup = std::function<std::optional<std::string>(std::string const& name)>;
std::string expand_environment(std::string const& text, VariableLookup const& lookup = {});

}  // namespace prodmcp::util
