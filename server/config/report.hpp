#pragma once
// What the config subcommands print: print-config (effective values, where each came from, secrets
// masked) and describe-config (every key, machine-readable, for the console's editor).
#include <string>

#include "config/key_registry.hpp"
#include "config/loader.hpp"

namespace prodmcp::config {

// A secret key's value as it may be shown: map values and whole strings as "****", URLs with only
// their password hidden.
Value masked(KeySpec const& spec, Value const& value);

// A TOML document of the effective values, each commented with its origin.
std::string print_config_toml(LoadedConfig const& config);
// {"profile":..., "profile_origin":..., "keys":[{"key","value","origin"}], "diagnostics":[...]}
std::string print_config_json(LoadedConfig const& config);
// {"profiles":[...], "sections":[...], "keys":[{"key","section","type","default","doc","env",
//   "secret","reloadable","min","max","choices","profiles":{"production":...}}]}
std::string describe_config_json();

}  // namespace prodmcp::config
