#include "config/toml_reader.hpp"

#include <fstream>
#include <optional>
#include <sstream>
#include <toml++/toml.h>

#include "config/key_registry.hpp"
#include "config/upstream_keys.hpp"

namespace prodmcp::config {

namespace {

std::string_view toml_type_name(toml::node const& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    default: return "a date or time";
  }
}

std::optional<Value> convert(toml::node const& node, ValueType type) {
  switch (type) {
    case ValueType::kBoolean:
      if (auto const* value = node.as_boolean()) return Value(value->get());
      break;
    case ValueType::kInteger:
      if (auto const* value = node.as_integer()) return Value(value->get());
      break;
    case ValueType::kNumber:
      if (auto const* value = node.as_floating_point()) return Value(value->get());
      if (auto const* value = node.as_integer()) return Value(static_cast<double>(value->get()));
      break;
    case ValueType::kString:
      if (auto const* value = node.as_string()) return Value(value->get());
      break;
    case ValueType::kStringList:
      if (auto const* array = node.as_array()) {
        StringList list;
        for (auto const& item : *array) {
          auto const* text = item.as_string();
          if (!text) return std::nullopt;
          list.push_back(text->get());
        }
        return Value(std::move(list));
      }
      break;
    case ValueType::kIntegerMap:
      if (auto const* table = node.as_table()) {
        IntegerMap map;
        for (auto const& [name, item] : *table) {
          auto const* number = item.as_integer();
          if (!number) return std::nullopt;
          map[std::string(name.str())] = number->get();
        }
        return Value(std::move(map));
      }
      break;
    case ValueType::kStringMap:
      if (auto const* table = node.as_table()) {
        StringMap map;
        for (auto const& [name, item] : *table) {
          auto const* text = item.as_string();
          if (!text) return std::nullopt;
          map[std::string(name.str())] = text->get();
        }
        return Value(std::move(map));
      }
      break;
  }
  return std::nullopt;
}

std::string example_of(ValueType type) {
  switch (type) {
    case ValueType::kBoolean: return "true";
    case ValueType::kInteger: return "30";
    case ValueType::kNumber: return "0.5";
    case ValueType::kString: return "\"text\"";
    case ValueType::kStringList: return "[\"a\", \"b\"]";
    case ValueType::kStringMap: return "{ name = \"value\" }";
    case ValueType::kIntegerMap: return "{ name = 60 }";
  }
  return {};
}

std::string did_you_mean(std::vector<std::string> const& names) {
  if (names.empty()) return {};
  std::string text = "did you mean ";
  for (std::size_t i = 0; i < names.size(); ++i) text += (i ? " or " : "") + names[i];
  return text + "?";
}

class Reader {
 public:
  explicit Reader(std::string source_name) : source_(std::move(source_name)) {}

  FileContents read(std::string_view text) {
    toml::table root;
    try {
      root = toml::parse(text, source_);
    } catch (toml::parse_error const& error) {
      report(error.source(), {}, std::string(error.description()), "fix the TOML syntax at this place");
      return std::move(contents_);
    }
    for (auto const& [name, node] : root) {
      std::string const section(name.str());
      if (auto const* table = node.as_table()) {
        read_section(section, *table);
      } else {
        auto const suggestions = suggest_keys(section);
        report(node.source(), section, "\"" + section + "\" is outside any section",
               suggestions.empty() ? "put keys under a [section] header"
                                   : "write it as " + suggestions.front() + " (under [" +
                                         suggestions.front().substr(0, suggestions.front().find('.')) + "])");
      }
    }
    return std::move(contents_);
  }

 private:
  // [upstreams.NAME] tables: each holds one upstream's keys.
  void read_upstreams(toml::table const& table) {
    for (auto const& [name_key, node] : table) {
      std::string const name(name_key.str());
      std::string const prefix = std::string(kUpstreamsSection) + "." + name;
      auto const* upstream = node.as_table();
      if (!upstream) {
        report(node.source(), prefix, prefix + " must be a table of the upstream's keys",
               "write [upstreams." + name + "] and under it command = \"...\" or url = \"...\"");
        continue;
      }
      if (!valid_upstream_name(name)) {
        report(node.source(), prefix, "upstream name \"" + name + "\" is not allowed",
               "use 1-64 lowercase letters, digits and '-' (it becomes a label and a tool prefix)");
        continue;
      }
      read_keys(prefix, *upstream, upstream_leaves());
    }
  }

  void read_section(std::string const& section, toml::table const& table) {
    if (section == kUpstreamsSection) return read_upstreams(table);
    auto const known = sections();
    if (std::find(known.begin(), known.end(), section) == known.end()) {
      std::vector<std::string> close;
      for (auto const& candidate : closest_names(section, known)) close.push_back("[" + candidate + "]");
      std::string hint = did_you_mean(close);
      if (hint.empty()) {
        hint = "sections are";
        for (auto const& candidate : known) hint += " [" + candidate + "]";
      }
      report(table.source(), section, "unknown section [" + section + "]", hint);
      return;
    }
    read_keys(section, table, {});
  }

  // The keys of one table. `leaves` names the keys it may hold when they are not in the
  // registry's static table (upstreams), for suggestions.
  void read_keys(std::string const& section, toml::table const& table, std::vector<std::string> const& leaves) {
    for (auto const& [leaf, node] : table) {
      std::string const key = section + "." + std::string(leaf.str());
      auto const* spec = find_key(key);
      if (!spec) {
        std::string hint;
        if (!leaves.empty()) {
          hint = did_you_mean(closest_names(leaf.str(), leaves));
          if (hint.empty()) {
            hint = "an upstream's keys are";
            for (auto const& name : leaves) hint += " " + name;
          }
        } else {
          auto const suggestions = suggest_keys(key);
          hint = suggestions.empty() ? "`prodmcp-server describe-config` lists every key" : did_you_mean(suggestions);
        }
        report(node.source(), key, "unknown key " + key, hint);
        continue;
      }
      auto value = convert(node, spec->type);
      if (!value) {
        report(node.source(), key,
               key + " must be " + (spec->type == ValueType::kInteger ? "an " : "a ") +
                   std::string(type_name(spec->type)) + ", not " +
                   std::string(toml_type_name(node)),
               "for example " + std::string(leaf.str()) + " = " + example_of(spec->type));
        continue;
      }
      auto const& where = node.source();
      auto const* table_value = node.as_table();
      contents_.entries.push_back(FileEntry{key, std::move(*value), static_cast<int>(where.begin.line),
                                            static_cast<int>(where.begin.column), static_cast<int>(where.end.line),
                                            static_cast<int>(where.end.column),
                                            table_value == nullptr || table_value->is_inline()});
    }
  }

  void report(toml::source_region const& where, std::string key, std::string message, std::string hint) {
    Diagnostic diagnostic;
    diagnostic.where = source_;
    diagnostic.line = static_cast<int>(where.begin.line);
    diagnostic.column = static_cast<int>(where.begin.column);
    diagnostic.key = std::move(key);
    diagnostic.message = std::move(message);
    diagnostic.hint = std::move(hint);
    contents_.diagnostics.push_back(std::move(diagnostic));
  }

  std::string source_;
  FileContents contents_;
};

}  // namespace

FileContents read_toml(std::string_view text, std::string const& source_name) {
  return Reader(source_name).read(text);
}

FileContents read_toml_file(std::string const& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    FileContents contents;
    Diagnostic diagnostic;
    diagnostic.where = path;
    diagnostic.message = "cannot read the config file";
    diagnostic.hint = "check the path and its permissions";
    contents.diagnostics.push_back(std::move(diagnostic));
    return contents;
  }
  std::ostringstream text;
  text << file.rdbuf();
  return read_toml(text.str(), path);
}

}  // namespace prodmcp::config
