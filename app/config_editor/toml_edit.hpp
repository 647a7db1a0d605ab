#pragma once
// Edits of a TOML document's text that keep everything else as written (comments, order, blank
// lines): replace one value, add a key to its [section], remove a key. Positions come from the
// server's TOML reader.
#include <QString>

namespace prodmcp::console::toml_edit {

// 1-based lines and columns; the end column is just past the value's last character.
struct ValueRange {
  int line = 0;
  int column = 0;
  int end_line = 0;
  int end_column = 0;
};

// The text with the value in `range` replaced by `literal` (TOML syntax).
QString replace_value(QString const& text, ValueRange range, QString const& literal);
// The text with `name = literal` added to [section]: after the section's last key (`last_line`,
// 0 when it has none) or its header, or in a new [section] at the end.
QString insert_key(QString const& text, QString const& section, QString const& name, QString const& literal,
                   int last_line);
// The text without the key whose value is in `range` (its whole lines, with a trailing comment);
// the text unchanged when the key shares its line with something else (an inline table).
QString remove_key(QString const& text, ValueRange range);
// Whether the value in `range` stands alone after `name =` on its line, so remove_key can take it.
bool stands_alone(QString const& text, ValueRange range);

}  // namespace prodmcp::console::toml_edit
