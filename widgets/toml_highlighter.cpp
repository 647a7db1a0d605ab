#include "toml_highlighter.hpp"

#include "palette.hpp"

namespace prodmcp::console {

TomlHighlighter::TomlHighlighter(QTextDocument* document) : QSyntaxHighlighter(document) {
  QTextCharFormat section;
  section.setForeground(palette::kAccent);
  section.setFontWeight(QFont::Bold);
  QTextCharFormat key;
  key.setForeground(QColor(0x6a, 0x1b, 0x9a));
  QTextCharFormat literal;
  literal.setForeground(QColor(0x00, 0x69, 0x5c));
  string_.setForeground(QColor(0xa3, 0x4a, 0x00));
  comment_.setForeground(palette::kIdle);
  comment_.setFontItalic(true);
  rules_ = {
      {QRegularExpression(QStringLiteral(R"(^\s*(\[\[?[^\]#]*\]\]?))")), section, 1},
      {QRegularExpression(QStringLiteral(R"(^\s*([A-Za-z0-9_.\-"']+)\s*=)")), key, 1},
      {QRegularExpression(QStringLiteral(R"(\b(true|false|[+-]?\d[\d_]*(\.\d+)?([eE][+-]?\d+)?|inf|nan)\b)")), literal, 1},
  };
}

void TomlHighlighter::highlightBlock(QString const& text) {
  for (auto const& rule : rules_) {
    auto matches = rule.pattern.globalMatch(text);
    while (matches.hasNext()) {
      auto const match = matches.next();
      setFormat(int(match.capturedStart(rule.group)), int(match.capturedLength(rule.group)), rule.format);
    }
  }
  // Strings and comments last, scanning quotes so a '#' inside a string is not a comment.
  QChar quote;
  int string_start = -1;
  for (int i = 0; i < text.size(); ++i) {
    QChar const c = text[i];
    if (string_start >= 0) {
      if (c == QLatin1Char('\\') && quote == QLatin1Char('"')) {
        ++i;
      } else if (c == quote) {
        setFormat(string_start, i - string_start + 1, string_);
        string_start = -1;
      }
    } else if (c == QLatin1Char('"') || c == QLatin1Char('\'')) {
      quote = c;
      string_start = i;
    } else if (c == QLatin1Char('#')) {
      setFormat(i, int(text.size()) - i, comment_);
      return;
    }
  }
  if (string_start >= 0) setFormat(string_start, int(text.size()) - string_start, string_);  // multi-line strings
}

}  // namespace prodmcp::console
