#include "util/environment.hpp"

#include <cstdlib>

namespace prodmcp::util {

std::string expand_environment(std::string const& text, VariableLookup const& lookup) {
  std::string result;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      auto const end = text.find('}', i + 2);
      if (end != std::string::npos) {
        auto const name = text.substr(i + 2, end - i - 2);
        if (lookup) {
          if (auto const value = lookup(name)) result += *value;
        } else if (char const* value = std::getenv(name.c_str())) {
          result += value;
        }
        i = end;
        continue;
      }
    }
    result += text[i];
  }
  return result;
}

}  // namespace prodmcp::util
