#pragma once
// TOML syntax colours for the config editor's text view: [section] headers, keys, strings,
// numbers and booleans, comments.
#include <QRegularExpression>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace prodmcp::console {

class TomlHighlighter : public QSyntaxHighlighter {
  Q_OBJECT
 public:
  explicit TomlHighlighter(QTextDocument* document);

 protected:
  void highlightBlock(QString const& text) override;

 private:
  struct Rule {
    QRegularExpression pattern;
    QTextCharFormat format;
    int group = 0;  // the capture group to colour
  };
  QList<Rule> rules_;
  QTextCharFormat comment_;
  QTextCharFormat string_;
};

}  // namespace prodmcp::console
