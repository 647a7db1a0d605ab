#include "config/report.hpp"
#include "config/upstream_keys.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace prodmcp::config {

namespace json = boost::json;

namespace {

constexpr std::string_view kMask = "****";

json::value to_json(Value const& value) {
  struct Writer {
    json::value operator()(bool b) const { return b; }
    json::value operator()(std::int64_t i) const { return i; }
    json::value operator()(double d) const { return d; }
    json::value operator()(std::string const& s) const { return json::string(s); }
    json::value operator()(StringList const& list) const {
      json::array array;
      for (auto const& item : list) array.emplace_back(item);
      return array;
    }
    json::value operator()(IntegerMap const& map) const {
      json::object object;
      for (auto const& [name, item] : map) object[name] = item;
      return object;
    }
    json::value operator()(StringMap const& map) const {
      json::object object;
      for (auto const& [name, item] : map) object[name] = item;
      return object;
    }
  };
  return std::visit(Writer{}, value);
}

json::object to_json(Diagnostic const& diagnostic) {
  json::object object{{"severity", diagnostic.is_error() ? "error" : "warning"},
                      {"where", diagnostic.where},
                      {"message", diagnostic.message},
                      {"hint", diagnostic.hint},
                      {"text", diagnostic.to_string()}};
  if (diagnostic.line > 0) {
    object["line"] = diagnostic.line;
    object["column"] = diagnostic.column;
  }
  if (!diagnostic.key.empty()) object["key"] = diagnostic.key;
  return object;
}

std::string mask_string(std::string const& text) {
  // A URL keeps everything but its password: scheme://user:****@host.
  auto const scheme = text.find("://");
  if (scheme == std::string::npos) return text.empty() ? text : std::string(kMask);
  auto const at = text.rfind('@');
  if (at == std::string::npos || at < scheme) return text;
  auto const colon = text.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return text;
  return text.substr(0, colon + 1) + std::string(kMask) + text.substr(at);
}

}  // namespace

Value masked(KeySpec const& spec, Value const& value) {
  if (!spec.secret) return value;
  if (auto const* text = std::get_if<std::string>(&value)) return mask_string(*text);
  if (auto const* map = std::get_if<StringMap>(&value)) {
    StringMap hidden;
    for (auto const& [name, item] : *map) hidden[name] = std::string(kMask);
    return hidden;
  }
  return value;
}

namespace {

// Every key of the registry, then those of each configured upstream.
std::vector<KeySpec const*> keys_in_force(Settings const& settings) {
  std::vector<KeySpec const*> keys;
  for (auto const& spec : all_keys()) keys.push_back(&spec);
  for (auto const& name : upstream_key_names(settings, settings)) keys.push_back(find_key(name));
  return keys;
}

// A key's range and choices, for describe-config.
void add_rules(json::object& key, KeySpec const& spec) {
  if (spec.min) key["min"] = *spec.min;
  if (spec.max) key["max"] = *spec.max;
  if (!spec.choices.empty()) {
    json::array choices;
    for (auto const& choice : spec.choices) choices.emplace_back(choice);
    key["choices"] = std::move(choices);
  }
}

std::string origin_of(LoadedConfig const& config, std::string const& key) {
  auto const it = config.origins.find(key);
  return it == config.origins.end() ? "default" : it->second;
}

}  // namespace

std::string print_config_toml(LoadedConfig const& config) {
  std::string text = "# Effective configuration of prodmcp-server (secrets masked)\n# profile: " +
                     std::string(profile_name(config.profile)) + " (" + config.profile_origin + ")\n";
  std::string section;
  for (auto const* spec : keys_in_force(config.settings)) {
    auto const leaf_at = spec->name.rfind('.');
    if (spec->name.substr(0, leaf_at) != section) {
      section = spec->name.substr(0, leaf_at);
      text += "\n[" + section + "]\n";
    }
    auto line = spec->name.substr(leaf_at + 1) + " = " + to_toml(masked(*spec, spec->get(config.settings)));
    if (line.size() < 48) line.resize(48, ' ');
    text += line + "  # " + origin_of(config, spec->name) + "\n";
  }
  return text;
}

std::string print_config_json(LoadedConfig const& config) {
  json::array keys;
  for (auto const* spec : keys_in_force(config.settings))
    keys.push_back(json::object{{"key", spec->name},
                                {"value", to_json(masked(*spec, spec->get(config.settings)))},
                                {"origin", origin_of(config, spec->name)}});
  json::array diagnostics;
  for (auto const& diagnostic : config.diagnostics) diagnostics.push_back(to_json(diagnostic));
  return json::serialize(json::object{{"profile", profile_name(config.profile)},
                                      {"profile_origin", config.profile_origin},
                                      {"keys", std::move(keys)},
                                      {"diagnostics", std::move(diagnostics)}});
}

std::string describe_config_json() {
  Settings defaults;
  json::array keys;
  for (auto const& spec : all_keys()) {
    json::object key{{"key", spec.name},
                     {"section", spec.section()},
                     {"type", type_name(spec.type)},
                     {"default", to_json(masked(spec, spec.get(defaults)))},
                     {"doc", spec.doc},
                     {"env", spec.env},
                     {"secret", spec.secret},
                     {"reloadable", spec.reloadable}};
    add_rules(key, spec);
    json::object profiles;
    for (auto const profile : {Profile::kDevelopment, Profile::kStaging, Profile::kProduction})
      for (auto const& [name, value] : profile_overrides(profile))
        if (name == spec.name) profiles[profile_name(profile)] = to_json(value);
    key["profiles"] = std::move(profiles);
    keys.push_back(std::move(key));
  }
  // The keys of an [upstreams.NAME] table, with their defaults.
  std::string const example = std::string(kUpstreamsSection) + ".example";
  defaults.upstreams["example"] = UpstreamSettings{};
  json::array upstream_keys;
  for (auto const& leaf : upstream_leaves()) {
    auto const& spec = *find_key(example + "." + leaf);
    json::object key{{"key", std::string(kUpstreamsSection) + ".NAME." + leaf},
                     {"type", type_name(spec.type)},
                     {"default", to_json(masked(spec, spec.get(defaults)))},
                     {"doc", spec.doc},
                     {"secret", spec.secret}};
    add_rules(key, spec);
    upstream_keys.push_back(std::move(key));
  }
  json::array profile_names;
  for (auto const profile : {Profile::kDevelopment, Profile::kStaging, Profile::kProduction})
    profile_names.emplace_back(profile_name(profile));
  json::array section_names;
  for (auto const& section : sections()) section_names.emplace_back(section);
  return json::serialize(json::object{{"profiles", std::move(profile_names)},
                                      {"sections", std::move(section_names)},
                                      {"environment",
                                       json::object{{"ENVIRONMENT", "profile: development, staging or production"}}},
                                      {"keys", std::move(keys)},
                                      {"upstream_keys", std::move(upstream_keys)}});
}

}  // namespace prodmcp::config
