#include "protocol/uri_template.hpp"

namespace prodmcp::protocol {

UriTemplate::UriTemplate(std::string_view pattern) {
  while (!pattern.empty()) {
    auto const open = pattern.find('{');
    auto const close = open == std::string_view::npos ? open : pattern.find('}', open);
    if (open == std::string_view::npos || close == std::string_view::npos) {
      parts_.push_back({std::string(pattern), {}, false});
      break;
    }
    if (open > 0) parts_.push_back({std::string(pattern.substr(0, open)), {}, false});
    auto name = pattern.substr(open + 1, close - open - 1);
    bool const reserved = !name.empty() && name.front() == '+';
    if (reserved) name.remove_prefix(1);
    parts_.push_back({{}, std::string(name), reserved});
    variables_.emplace_back(name);
    pattern.remove_prefix(close + 1);
  }
}

std::optional<std::map<std::string, std::string>> UriTemplate::match(std::string_view uri) const {
  std::map<std::string, std::string> values;
  for (std::size_t i = 0; i < parts_.size(); ++i) {
    auto const& part = parts_[i];
    if (part.variable.empty()) {
      if (!uri.starts_with(part.literal)) return std::nullopt;
      uri.remove_prefix(part.literal.size());
      continue;
    }
    // A variable runs up to the next literal (or the end), never across '/' unless reserved.
    std::size_t end = uri.size();
    if (i + 1 < parts_.size() && !parts_[i + 1].literal.empty()) {
      end = uri.find(parts_[i + 1].literal);
      if (end == std::string_view::npos) return std::nullopt;
    }
    auto const value = uri.substr(0, end);
    if (value.empty() || (!part.reserved && value.find('/') != std::string_view::npos)) return std::nullopt;
    values[part.variable] = std::string(value);
    uri.remove_prefix(end);
  }
  if (!uri.empty()) return std::nullopt;
  return values;
}

}  // namespace prodmcp::protocol
