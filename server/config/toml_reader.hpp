#pragma once
// Reads a TOML config file into key/value entries with their positions. The only file that
// includes toml++ (slow to compile): keep it out of headers.
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/value.hpp"

namespace prodmcp::config {

struct FileEntry {
  std::string key;  // "section.key"
  Value value;      // already of the key's type
  int line = 0;  // where the value starts (1-based)
  int column = 0;
  int end_line = 0;  // where it ends (the column just past its last character)
  int end_column = 0;
  // False for a map written as its own [section.key] table rather than inline: not editable in place.
  bool inline_value = true;
};

struct FileContents {
  std::vector<FileEntry> entries;
  std::vector<Diagnostic> diagnostics;  // syntax errors, unknown keys, wrong types
};

// `source_name` names the file in diagnostics.
FileContents read_toml(std::string_view text, std::string const& source_name);
FileContents read_toml_file(std::string const& path);

}  // namespace prodmcp::config
