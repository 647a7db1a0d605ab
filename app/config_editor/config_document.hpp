#pragma once
// One TOML config document being edited: its text, the keys it sets (with where they are), and
// what the server's own config checker says of it. The form and the text view both edit it; each
// edit keeps the rest of the text as written.
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <optional>
#include <vector>

#include "config_editor/toml_edit.hpp"
#include "config_editor/upstream_tables.hpp"

namespace prodmcp::console {

struct ConfigProblem {
  bool error = true;  // else a warning
  int line = 0;       // 1-based; 0 when the problem is not at a place in the text
  int column = 0;
  QString key;
  QString message;
  QString hint;
  // "3:5: error: server.listen: ... (hint: ...)"
  QString text() const;
};

class ConfigDocument : public QObject {
  Q_OBJECT
 public:
  explicit ConfigDocument(QObject* parent = nullptr);

  QString const& text() const { return text_; }
  // The name problems and origins give the text (a file path, or "untitled.toml").
  void set_name(QString name);
  QString const& name() const { return name_; }
  // The profile the checker judges the document under (empty: the file's or development).
  void set_profile(QString profile);
  QString const& profile() const { return profile_; }

  // The value the text sets for `key` in the form's notation (true, 30, a,b, a=x,b=y); nothing if unset.
  std::optional<QString> written(QString const& key) const;
  // False for a key the form cannot change in place (a map written as its own [section.key] table).
  bool editable(QString const& key) const;
  // Sets `key` from the form's notation; returns what is wrong with the value (nothing changes), or empty.
  QString set_value(QString const& key, QString const& form_text);
  // Takes the key out of the text, so its default (or the profile's) applies. False if it cannot.
  bool remove(QString const& key);
  // Appends the draft's [upstreams.NAME] table; what is wrong (nothing changes), or empty. An
  // upstream of that name already in the text is refused, not merged.
  QString add_upstream(UpstreamDraft const& draft);

  QList<ConfigProblem> const& problems() const { return problems_; }
  int error_count() const;
  // print-config's JSON for this text under `profile` ("" = the document's profile), the
  // environment left out: {"profile", "keys":[{"key","value","origin"}], ...}.
  QJsonObject effective(QString const& profile = {}) const;

  // A value in the form's notation, from its JSON form (print-config, describe-config).
  static QString form_text(QJsonValue const& value);

 public slots:
  void set_text(QString const& text);

 signals:
  // The text, the profile or the problems changed.
  void changed();

 private:
  struct Entry {
    QString key;
    QString form_text;
    toml_edit::ValueRange range;
    bool inline_value = true;
  };
  void analyse();
  Entry const* find(QString const& key) const;

  QString text_;
  QString name_ = QStringLiteral("untitled.toml");
  QString profile_;
  std::vector<Entry> entries_;
  QList<ConfigProblem> problems_;
  QJsonObject effective_;  // under profile_, from the same load the problems came from
};

}  // namespace prodmcp::console
