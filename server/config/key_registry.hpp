#pragma once
// Every config key: its name, type, default, documentation, environment variable and rules. The
// loader, check-config, print-config, describe-config and the console's editor all read this table.
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.hpp"
#include "config/value.hpp"

namespace prodmcp::config {

struct KeySpec {
  std::string name;  // "section.key"
  ValueType type = ValueType::kString;
  std::string doc;
  std::string env;  // the environment variable that sets it
  bool secret = false;      // masked in print-config and logs
  bool reloadable = false;  // SIGHUP applies it; other keys need a restart
  std::optional<double> min, max;   // integers and numbers
  std::vector<std::string> choices;  // strings
  // Further rules; returns what is wrong with the value, or nothing.
  std::function<std::optional<std::string>(Value const&)> check;
  std::function<Value(Settings const&)> get;
  std::function<void(Settings&, Value const&)> set;

  std::string_view section() const { return std::string_view(name).substr(0, name.find('.')); }
  // What is wrong with a value of the right type (range, choices, rules), or nothing.
  std::optional<std::string> validate(Value const& value) const;
};

std::span<KeySpec const> all_keys();
KeySpec const* find_key(std::string_view name);
// The closest key names to a misspelt one ("did you mean"), best first; empty when none is close.
std::vector<std::string> suggest_keys(std::string_view name);
std::vector<std::string> sections();
// Of `candidates`, those within a small edit distance of `name`, closest first (at most three).
std::vector<std::string> closest_names(std::string_view name, std::vector<std::string> const& candidates);

std::string_view profile_name(Profile profile);
std::optional<Profile> parse_profile(std::string_view name);
// What a profile changes from the defaults.
std::vector<std::pair<std::string, Value>> const& profile_overrides(Profile profile);

}  // namespace prodmcp::config
