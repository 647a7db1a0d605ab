#pragma once
// A problem found in configuration: where (file with line and column, environment variable or
// flag), what is wrong, and how to fix it.
#include <string>

namespace prodmcp::config {

struct Diagnostic {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  std::string where;  // a file name, "environment PRODMCP_X" or "flag --set"
  int line = 0;       // 1-based; 0 when not from a file
  int column = 0;
  std::string key;  // the config key concerned, when there is one
  std::string message;
  std::string hint;  // how to fix it; may be empty

  bool is_error() const { return severity == Severity::kError; }
  // "config.toml:12:3: error: server.listen: ... (hint: ...)"
  std::string to_string() const;
};

}  // namespace prodmcp::config
