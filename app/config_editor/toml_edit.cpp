#include "config_editor/toml_edit.hpp"

#include <QRegularExpression>
#include <QStringList>

namespace prodmcp::console::toml_edit {

namespace {

// Lines with their line breaks, so joining them gives the text back.
QStringList split_lines(QString const& text) {
  QStringList lines;
  qsizetype start = 0;
  while (start < text.size()) {
    auto const end = text.indexOf(QLatin1Char('\n'), start);
    if (end < 0) {
      lines << text.mid(start);
      break;
    }
    lines << text.mid(start, end - start + 1);
    start = end + 1;
  }
  return lines;
}

bool valid(QStringList const& lines, ValueRange range) {
  return range.line >= 1 && range.end_line >= range.line && range.end_line <= lines.size() && range.column >= 1 &&
         range.end_column >= 1;
}

// Whether a line holds a [section] header for `section` (also "[ section ] # comment").
bool is_header_of(QString const& line, QString const& section) {
  static QRegularExpression const header(QStringLiteral(R"(^\s*\[\s*([A-Za-z0-9_.\-]+)\s*\]\s*(#.*)?$)"));
  auto const match = header.match(line.trimmed());
  return match.hasMatch() && match.captured(1) == section;
}

}  // namespace

QString replace_value(QString const& text, ValueRange range, QString const& literal) {
  auto lines = split_lines(text);
  if (!valid(lines, range)) return text;
  auto const& first = lines[range.line - 1];
  auto const& last = lines[range.end_line - 1];
  QString const before = first.left(range.column - 1);
  QString const after = last.mid(range.end_column - 1);
  QStringList result = lines.mid(0, range.line - 1);
  result << before + literal + after;
  result << lines.mid(range.end_line);
  return result.join(QString());
}

QString insert_key(QString const& text, QString const& section, QString const& name, QString const& literal,
                   int last_line) {
  auto lines = split_lines(text);
  QString const entry = name + QStringLiteral(" = ") + literal + QLatin1Char('\n');
  auto insert_after = [&](int line) {  // 1-based; 0 = at the start
    if (line > 0 && !lines[line - 1].endsWith(QLatin1Char('\n'))) lines[line - 1] += QLatin1Char('\n');
    lines.insert(line, entry);
    return lines.join(QString());
  };
  if (last_line > 0 && last_line <= lines.size()) return insert_after(last_line);
  for (int i = 0; i < lines.size(); ++i)
    if (is_header_of(lines[i], section)) return insert_after(i + 1);
  QString result = text;
  if (!result.isEmpty() && !result.endsWith(QLatin1Char('\n'))) result += QLatin1Char('\n');
  if (!result.trimmed().isEmpty()) result += QLatin1Char('\n');
  return result + QLatin1Char('[') + section + QStringLiteral("]\n") + entry;
}

bool stands_alone(QString const& text, ValueRange range) {
  auto const lines = split_lines(text);
  if (!valid(lines, range)) return false;
  static QRegularExpression const key_only(QStringLiteral(R"(^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)\s*=\s*$)"));
  static QRegularExpression const rest_only(QStringLiteral(R"(^\s*(#.*)?$)"));
  return key_only.match(lines[range.line - 1].left(range.column - 1)).hasMatch() &&
         rest_only.match(lines[range.end_line - 1].mid(range.end_column - 1)).hasMatch();
}

QString remove_key(QString const& text, ValueRange range) {
  if (!stands_alone(text, range)) return text;
  auto lines = split_lines(text);
  lines.remove(range.line - 1, range.end_line - range.line + 1);
  return lines.join(QString());
}

}  // namespace prodmcp::console::toml_edit
