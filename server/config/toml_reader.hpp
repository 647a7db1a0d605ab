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
  int line = 0;
  int column = 0;
};

struct FileContents {
  std::vector<FileEntry> entries;
  std::vector<Diagnostic> diagnostics;  // syntax errors, unknown keys, wrong types
};

// `source_name` names the file in diagnostics.
FileContents read_toml(std::string_view text, std::string const& source_name);
FileContents read_toml_file(std::string const& path);

}  // namespace prodmcp::config
