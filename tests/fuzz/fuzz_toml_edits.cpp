// The config editor's edits of a TOML file the user may have written any way: the server's reader
// finds each key's value and position, then the value is replaced, the key removed where it stands
// alone, and a key added, as the Config page does.
#include <QString>

#include "config/toml_reader.hpp"
#include "config_editor/toml_edit.hpp"
#include "fuzz_target.hpp"

PRODMCP_FUZZ_TARGET(toml_edits) {
  namespace edit = prodmcp::console::toml_edit;
  auto const bytes = prodmcp::fuzz::as_text(data, size);
  auto const contents = prodmcp::config::read_toml(bytes, "fuzz.toml");
  auto const text = QString::fromUtf8(bytes.data(), static_cast<qsizetype>(bytes.size()));
  int last_line = 0;
  for (auto const& entry : contents.entries) {
    edit::ValueRange const range{entry.line, entry.column, entry.end_line, entry.end_column};
    (void)edit::replace_value(text, range, QStringLiteral("\"edited\""));
    if (edit::stands_alone(text, range)) (void)edit::remove_key(text, range);
    if (QString::fromStdString(entry.key).startsWith("server.")) last_line = entry.end_line;
  }
  (void)edit::insert_key(text, QStringLiteral("server"), QStringLiteral("workers"), QStringLiteral("2"), last_line);
  (void)edit::insert_key(text, QStringLiteral("limits"), QStringLiteral("max_json_depth"), QStringLiteral("64"), 0);
  return 0;
}
