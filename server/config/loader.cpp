#include "config/loader.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "config/address.hpp"
#include "config/key_registry.hpp"
#include "config/toml_reader.hpp"
#include "config/upstream_keys.hpp"

extern char** environ;

namespace prodmcp::config {

namespace {

class Builder {
 public:
  explicit Builder(LoadedConfig& config) : config_(config) {
    for (auto const& spec : all_keys()) config_.origins[spec.name] = "default";
  }

  // Applies one layer's value when it passes the key's rules; otherwise reports it at `where`.
  void apply(KeySpec const& spec, Value const& value, std::string origin, Diagnostic where) {
    if (auto problem = spec.validate(value)) {
      where.key = spec.name;
      where.message = spec.name + ": " + *problem;
      config_.diagnostics.push_back(std::move(where));
      return;
    }
    spec.set(config_.settings, value);
    config_.origins[spec.name] = std::move(origin);
  }

  void apply_text(KeySpec const& spec, std::string const& text, std::string origin, Diagnostic where) {
    std::string problem;
    auto value = parse_text(spec.type, text, problem);
    if (!value) {
      where.key = spec.name;
      where.message = spec.name + ": " + problem + ", got \"" + text + "\"";
      config_.diagnostics.push_back(std::move(where));
      return;
    }
    apply(spec, *value, std::move(origin), std::move(where));
  }

  void report(Diagnostic diagnostic) { config_.diagnostics.push_back(std::move(diagnostic)); }

 private:
  LoadedConfig& config_;
};

Diagnostic at(std::string where, int line = 0, int column = 0) {
  Diagnostic diagnostic;
  diagnostic.where = std::move(where);
  diagnostic.line = line;
  diagnostic.column = column;
  return diagnostic;
}

void resolve_profile(ConfigSources const& sources, LoadedConfig& config) {
  std::optional<std::string> name;
  std::string origin;
  if (sources.profile) {
    name = sources.profile;
    origin = "flag --profile";
  } else if (auto value = sources.env("ENVIRONMENT"); value && !value->empty()) {
    name = value;
    origin = "environment ENVIRONMENT";
  }
  if (!name) return;
  if (auto const profile = parse_profile(*name)) {
    config.profile = *profile;
    config.profile_origin = origin;
    return;
  }
  auto diagnostic = at(origin);
  diagnostic.message = "unknown profile \"" + *name + "\"";
  diagnostic.hint = "use development, staging or production";
  config.diagnostics.push_back(std::move(diagnostic));
}

void warn_unknown_env(ConfigSources const& sources, Builder& builder) {
  std::vector<std::string> env_keys;
  for (auto const& spec : all_keys()) env_keys.push_back(spec.env);
  for (auto const& name : sources.env_names) {
    if (!name.starts_with("PRODMCP_") || std::find(env_keys.begin(), env_keys.end(), name) != env_keys.end())
      continue;
    auto diagnostic = at("environment " + name);
    diagnostic.severity = Diagnostic::Severity::kWarning;
    diagnostic.message = name + " is not a config variable and is ignored";
    auto const close = closest_names(name, env_keys);
    diagnostic.hint = close.empty() ? "`prodmcp-server describe-config` lists every variable"
                                    : "did you mean " + close.front() + "?";
    builder.report(std::move(diagnostic));
  }
}

// Settings that are legal one by one but unsafe or useless together.
// Why a remote upstream's url cannot be used, or empty.
std::string unusable_upstream_url(std::string const& url) {
  auto const parsed = boost::urls::parse_uri(url);
  if (!parsed) return "\"" + url + "\" is not a URL";
  if (parsed->scheme() != "http" && parsed->scheme() != "https") return "\"" + url + "\" is not an http:// or https:// URL";
  if (parsed->host().empty()) return "\"" + url + "\" names no host";
  if (parsed->has_fragment()) return "\"" + url + "\" has a #fragment, which HTTP never sends";
  return {};
}

void check_combinations(LoadedConfig& config) {
  auto const& settings = config.settings;
  bool const production = config.profile == Profile::kProduction;
  auto add = [&](Diagnostic::Severity severity, std::string key, std::string message, std::string hint) {
    auto diagnostic = at(production ? "profile production" : "config");
    diagnostic.severity = severity;
    diagnostic.key = std::move(key);
    diagnostic.message = std::move(message);
    diagnostic.hint = std::move(hint);
    config.diagnostics.push_back(std::move(diagnostic));
  };
  for (auto const& [name, upstream] : settings.upstreams) {
    auto const key = std::string(kUpstreamsSection) + "." + name;
    if (upstream.command.empty() && upstream.url.empty())
      add(Diagnostic::Severity::kError, key + ".command", "upstream \"" + name + "\" has neither command nor url",
          "give command = \"...\" (a stdio server to start) or url = \"http://...\" (a remote server)");
    else if (!upstream.command.empty() && !upstream.url.empty())
      add(Diagnostic::Severity::kError, key + ".url", "upstream \"" + name + "\" has both command and url",
          "keep one: command starts a stdio server, url reaches a remote one");
    else if (!upstream.url.empty())
      if (auto const why = unusable_upstream_url(upstream.url); !why.empty())
        add(Diagnostic::Severity::kError, key + ".url", "upstream \"" + name + "\": " + why,
            "give the server's Streamable HTTP endpoint, e.g. url = \"http://127.0.0.1:8000/mcp\"");
    if (upstream.restart_max_backoff_ms < upstream.restart_backoff_ms)
      add(Diagnostic::Severity::kError, key + ".restart_max_backoff_ms",
          "upstream \"" + name + "\": restart_max_backoff_ms is below restart_backoff_ms",
          "make restart_max_backoff_ms at least restart_backoff_ms");
  }
  // Two upstreams under one prefix would offer clashing names: one's tools would hide the other's.
  std::map<std::string, std::string> upstream_by_prefix;
  for (auto const& [name, upstream] : settings.upstreams)
    if (auto const [first, added] = upstream_by_prefix.emplace(exposed_prefix(settings, name), name); !added)
      add(Diagnostic::Severity::kError, std::string(kUpstreamsSection) + "." + name + ".prefix",
          "upstreams \"" + first->second + "\" and \"" + name + "\" would both name their tools and prompts \"" +
              first->first + "...\", so the tools of one would hide the other's",
          "give one of them another prefix ([upstreams." + name + "] prefix = \"" + name + "__\")");
  auto const severity = production ? Diagnostic::Severity::kError : Diagnostic::Severity::kWarning;

  std::string problem;
  auto const listen = parse_host_port(settings.server.listen, problem);
  if (listen && !is_loopback_host(listen->host) && !settings.auth.enabled)
    add(severity, "auth.enabled",
        "serving " + settings.server.listen + " beyond this machine without authentication",
        "set auth.enabled = true and add [auth] clients, or listen on 127.0.0.1");
  if (!settings.server.admin_listen.empty() && settings.server.admin_token_hash.empty())
    if (auto const admin = parse_host_port(settings.server.admin_listen, problem); admin && !is_loopback_host(admin->host))
      add(severity, "server.admin_token_hash",
          "the admin port " + settings.server.admin_listen +
              " is reachable beyond this machine but has no admin token, so /logs, /config and /faults refuse "
              "everyone",
          "set server.admin_token_hash (`prodmcp-server hash-token` hashes a token), or keep server.admin_listen on "
          "127.0.0.1");
  if (settings.faults.enabled)
    add(severity, "faults.enabled", "fault injection is enabled: tool calls are delayed and failed on purpose",
        "set faults.enabled = false outside demos and resilience tests");
  if (production && settings.server.conformance_fixtures)
    add(severity, "server.conformance_fixtures", "the conformance test fixtures are enabled",
        "set server.conformance_fixtures = false in production");
  if (settings.auth.enabled && settings.auth.clients.empty())
    add(Diagnostic::Severity::kError, "auth.clients", "auth.enabled is true but no clients are configured, so "
        "every request would be refused", "add clients = { name = \"sha256:...\" } under [auth] "
        "(`prodmcp-server hash-token` hashes a token), or set auth.enabled = false");
}

}  // namespace

std::optional<std::string> process_env(std::string const& name) {
  if (char const* value = std::getenv(name.c_str())) return std::string(value);
  return std::nullopt;
}

std::vector<std::string> process_env_names() {
  std::vector<std::string> names;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view const text(*entry);
    names.emplace_back(text.substr(0, text.find('=')));
  }
  return names;
}

bool LoadedConfig::ok() const {
  return std::none_of(diagnostics.begin(), diagnostics.end(), [](auto const& d) { return d.is_error(); });
}

std::vector<Diagnostic> LoadedConfig::errors() const {
  std::vector<Diagnostic> result;
  std::copy_if(diagnostics.begin(), diagnostics.end(), std::back_inserter(result),
               [](auto const& d) { return d.is_error(); });
  return result;
}

LoadedConfig load_config(ConfigSources const& sources) {
  LoadedConfig config;
  Builder builder(config);
  resolve_profile(sources, config);

  auto const profile_origin = "profile " + std::string(profile_name(config.profile));
  for (auto const& [name, value] : profile_overrides(config.profile))
    builder.apply(*find_key(name), value, profile_origin, at(profile_origin));

  if (!sources.file.empty()) {
    auto const first = config.diagnostics.size();
    auto contents = sources.file_text ? read_toml(*sources.file_text, sources.file) : read_toml_file(sources.file);
    for (auto& diagnostic : contents.diagnostics) builder.report(std::move(diagnostic));
    for (auto const& entry : contents.entries)
      builder.apply(*find_key(entry.key), entry.value,
                    "file " + sources.file + ":" + std::to_string(entry.line),
                    at(sources.file, entry.line, entry.column));
    // In file order, as an editor shows them.
    std::stable_sort(config.diagnostics.begin() + static_cast<std::ptrdiff_t>(first), config.diagnostics.end(),
                     [](auto const& a, auto const& b) { return std::pair(a.line, a.column) < std::pair(b.line, b.column); });
  }

  for (auto const& spec : all_keys()) {
    auto const origin = "environment " + spec.env;
    if (auto text = sources.env(spec.env)) builder.apply_text(spec, *text, origin, at(origin));
  }
  warn_unknown_env(sources, builder);

  for (auto const& flag : sources.flags) {
    auto const* spec = find_key(flag.key);
    if (!spec) {
      auto diagnostic = at("flag " + flag.flag);
      diagnostic.message = "unknown key " + flag.key;
      auto const close = suggest_keys(flag.key);
      diagnostic.hint = close.empty() ? "`prodmcp-server describe-config` lists every key"
                                      : "did you mean " + close.front() + "?";
      builder.report(std::move(diagnostic));
      continue;
    }
    if (flag.value) builder.apply(*spec, *flag.value, "flag " + flag.flag, at("flag " + flag.flag));
    else builder.apply_text(*spec, flag.text, "flag " + flag.flag, at("flag " + flag.flag));
  }

  check_combinations(config);
  return config;
}

std::vector<std::string> changed_keys(Settings const& before, Settings const& after) {
  std::vector<std::string> changed;
  for (auto const& spec : all_keys())
    if (spec.get(before) != spec.get(after)) changed.push_back(spec.name);
  for (auto const& name : upstream_key_names(before, after)) {
    auto const& spec = *find_key(name);
    if (spec.get(before) != spec.get(after)) changed.push_back(name);
  }
  return changed;
}

}  // namespace prodmcp::config
