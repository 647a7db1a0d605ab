#pragma once
// One config value of any key's type, how it is read from text (environment, --set) and how it is
// written back (print-config, describe-config).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace prodmcp::config {

enum class ValueType { kBoolean, kInteger, kNumber, kString, kStringList, kStringMap, kIntegerMap };

using StringList = std::vector<std::string>;
using StringMap = std::map<std::string, std::string>;
using IntegerMap = std::map<std::string, std::int64_t>;
using Value = std::variant<bool, std::int64_t, double, std::string, StringList, StringMap, IntegerMap>;

std::string_view type_name(ValueType type);  // "boolean", "integer", ... as describe-config says
ValueType type_of(Value const& value);

// Reads text as the given type: booleans true/false/yes/no/on/off/1/0, lists comma-separated,
// maps "a=x,b=y" (integer maps "a=1,b=2"). On failure returns nothing and sets `problem` to what was expected.
std::optional<Value> parse_text(ValueType type, std::string_view text, std::string& problem);

// TOML literal syntax, so print-config's output is itself a valid config file.
std::string to_toml(Value const& value);

}  // namespace prodmcp::config
