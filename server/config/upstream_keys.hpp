#pragma once
// The keys of one [upstreams.NAME] table. They are KeySpecs like every other key, named
// "upstreams.NAME.leaf", so the loader, --set, reload and diagnostics treat them alike; they are
// made on first use because the names come from the config.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/key_registry.hpp"

namespace prodmcp::config {

inline constexpr std::string_view kUpstreamsSection = "upstreams";

// Upstream names are [a-z0-9-]+, at most 64 characters: they become label values and tool prefixes.
bool valid_upstream_name(std::string_view name);
// A check for text that becomes part of exposed tool names (a prefix, the separator): only
// [A-Za-z0-9_.-], which every client accepts in a tool name.
std::optional<std::string> check_name_part(Value const& value);
// What the gateway puts before upstream `name`'s tool and prompt names: its prefix key, else
// nothing with one upstream and NAME + server.upstream_separator with several.
std::string exposed_prefix(Settings const& settings, std::string const& name);
// The name a client sees for an upstream's tool or prompt: the prefix, then the name with every
// byte outside [A-Za-z0-9_.-] as '_'. Empty when the result would exceed 128 characters.
std::string exposed_name(std::string const& prefix, std::string_view name);
// "upstreams.NAME.leaf" -> its spec; null when the name or the leaf is not one.
KeySpec const* find_upstream_key(std::string_view name);
// The leaves every upstream table may hold ("command", "args", ...).
std::vector<std::string> upstream_leaves();
// Every key of every upstream in either settings, for reload's comparison.
std::vector<std::string> upstream_key_names(Settings const& a, Settings const& b);

}  // namespace prodmcp::config
