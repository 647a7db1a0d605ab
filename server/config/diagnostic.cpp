#include "config/diagnostic.hpp"

namespace prodmcp::config {

std::string Diagnostic::to_string() const {
  std::string text = where;
  if (line > 0) text += ":" + std::to_string(line) + ":" + std::to_string(column);
  text += is_error() ? ": error: " : ": warning: ";
  text += message;
  if (!hint.empty()) text += " (" + hint + ")";
  return text;
}

}  // namespace prodmcp::config
