#include "config/value.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace prodmcp::config {

namespace {

std::string_view trim(std::string_view text) {
  auto const first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  auto const last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

std::vector<std::string_view> split_commas(std::string_view text) {
  std::vector<std::string_view> parts;
  if (trim(text).empty()) return parts;
  for (;;) {
    auto const comma = text.find(',');
    parts.push_back(trim(text.substr(0, comma)));
    if (comma == std::string_view::npos) return parts;
    text.remove_prefix(comma + 1);
  }
}

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(), [](unsigned char c) { return std::tolower(c); });
  return result;
}

std::string quoted(std::string_view text) {
  std::string result = "\"";
  for (char const c : text) {
    switch (c) {
      case '"': result += "\\\""; break;
      case '\\': result += "\\\\"; break;
      case '\n': result += "\\n"; break;
      case '\t': result += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escape[8];
          std::snprintf(escape, sizeof escape, "\\u%04x", c);
          result += escape;
        } else {
          result += c;
        }
    }
  }
  return result + '"';
}

}  // namespace

std::string_view type_name(ValueType type) {
  switch (type) {
    case ValueType::kBoolean: return "boolean";
    case ValueType::kInteger: return "integer";
    case ValueType::kNumber: return "number";
    case ValueType::kString: return "string";
    case ValueType::kStringList: return "list of strings";
    case ValueType::kStringMap: return "table of strings";
    case ValueType::kIntegerMap: return "table of integers";
  }
  return "unknown";
}

ValueType type_of(Value const& value) { return static_cast<ValueType>(value.index()); }

std::optional<Value> parse_text(ValueType type, std::string_view text, std::string& problem) {
  auto const value = trim(text);
  switch (type) {
    case ValueType::kBoolean: {
      auto const word = lower(value);
      if (word == "true" || word == "yes" || word == "on" || word == "1") return Value(true);
      if (word == "false" || word == "no" || word == "off" || word == "0") return Value(false);
      problem = "expected a boolean (true or false)";
      return std::nullopt;
    }
    case ValueType::kInteger: {
      std::int64_t number = 0;
      auto const [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
      if (error == std::errc() && end == value.data() + value.size() && !value.empty()) return Value(number);
      problem = "expected a whole number";
      return std::nullopt;
    }
    case ValueType::kNumber: {
      double number = 0;
      auto const [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
      if (error == std::errc() && end == value.data() + value.size() && !value.empty() && std::isfinite(number))
        return Value(number);
      problem = "expected a number";
      return std::nullopt;
    }
    case ValueType::kString: return Value(std::string(value));
    case ValueType::kStringList: {
      StringList list;
      for (auto const part : split_commas(value)) list.emplace_back(part);
      return Value(std::move(list));
    }
    case ValueType::kStringMap: {
      StringMap map;
      for (auto const part : split_commas(value)) {
        auto const equals = part.find('=');
        if (equals == std::string_view::npos || trim(part.substr(0, equals)).empty()) {
          problem = "expected name=value pairs separated by commas";
          return std::nullopt;
        }
        map[std::string(trim(part.substr(0, equals)))] = std::string(trim(part.substr(equals + 1)));
      }
      return Value(std::move(map));
    }
    case ValueType::kIntegerMap: {
      auto strings = parse_text(ValueType::kStringMap, text, problem);
      if (!strings) return std::nullopt;
      IntegerMap map;
      for (auto const& [name, item] : std::get<StringMap>(*strings)) {
        auto number = parse_text(ValueType::kInteger, item, problem);
        if (!number) {
          problem = "expected name=number pairs separated by commas; \"" + item + "\" is not a whole number";
          return std::nullopt;
        }
        map[name] = std::get<std::int64_t>(*number);
      }
      return Value(std::move(map));
    }
  }
  problem = "unsupported type";
  return std::nullopt;
}

std::string to_toml(Value const& value) {
  struct Writer {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const {
      char buffer[32];
      auto const [end, error] = std::to_chars(buffer, buffer + sizeof buffer, d);
      std::string text(buffer, end);
      // TOML needs a fraction or exponent to read a float back as a float.
      if (text.find_first_of(".eE") == std::string::npos) text += ".0";
      return text;
    }
    std::string operator()(std::string const& s) const { return quoted(s); }
    std::string operator()(StringList const& list) const {
      std::string text = "[";
      for (auto const& item : list) text += (text.size() > 1 ? ", " : "") + quoted(item);
      return text + "]";
    }
    std::string operator()(StringMap const& map) const {
      std::string text = "{";
      for (auto const& [name, item] : map) text += (text.size() > 1 ? ", " : " ") + quoted(name) + " = " + quoted(item);
      return text + (map.empty() ? "}" : " }");
    }
    std::string operator()(IntegerMap const& map) const {
      std::string text = "{";
      for (auto const& [name, item] : map)
        text += (text.size() > 1 ? ", " : " ") + quoted(name) + " = " + std::to_string(item);
      return text + (map.empty() ? "}" : " }");
    }
  };
  return std::visit(Writer{}, value);
}

}  // namespace prodmcp::config
