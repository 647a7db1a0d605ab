#include "util/environment.hpp"

#include <cstdlib>

namespace prodmcp::util {

std::string expand_environment(std::string const& text) {
  std::string result;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      auto const end = text.find('}', i + 2);
      if (end != std::string::npos) {
        if (char const* value = std::getenv(text.substr(i + 2, end - i - 2).c_str())) result += value;
        i = end;
        continue;
      }
    }
    result += text[i];
  }
  return result;
}

}  // namespace prodmcp::util
