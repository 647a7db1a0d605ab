#pragma once
// Builds the effective configuration from its layers, lowest first: defaults, profile, TOML file,
// environment, command-line flags. Every problem becomes a Diagnostic; a layer's bad value is
// skipped so the layer below stays in force.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/settings.hpp"
#include "config/value.hpp"

namespace prodmcp::config {

struct FlagSetting {
  std::string key;   // "section.key"
  std::string text;  // the value as typed
  std::string flag;  // "--listen", "--set", ...
  std::optional<Value> value = std::nullopt;  // already parsed (a flag that is not one key's text, e.g. --upstream)
};

// The environment of this process, the default for ConfigSources.
std::optional<std::string> process_env(std::string const& name);
std::vector<std::string> process_env_names();

struct ConfigSources {
  std::optional<std::string> profile;  // --profile; else ENVIRONMENT; else development
  std::string file;                    // --config; empty: no file
  // The file's text when it is not to be read from disk (an editor's unsaved document); `file`
  // still names it in diagnostics and origins.
  std::optional<std::string> file_text;
  // Looks up an environment variable; the default reads the process environment.
  std::function<std::optional<std::string>(std::string const&)> env = process_env;
  std::vector<std::string> env_names;  // every variable set, to warn about misspelt PRODMCP_* ones
  std::vector<FlagSetting> flags;
};

struct LoadedConfig {
  Settings settings;
  Profile profile = Profile::kDevelopment;
  std::string profile_origin = "default";
  std::map<std::string, std::string> origins;  // key -> "default", "profile production", "file x.toml:3:1", ...
  std::vector<Diagnostic> diagnostics;

  bool ok() const;  // no errors (warnings allowed)
  std::vector<Diagnostic> errors() const;
};

LoadedConfig load_config(ConfigSources const& sources);

// Keys whose effective values differ, for reload logs.
std::vector<std::string> changed_keys(Settings const& before, Settings const& after);

}  // namespace prodmcp::config
