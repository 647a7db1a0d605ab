#pragma once
// The server's config keys as its `describe-config` prints them (type, default, doc, environment
// variable, allowed values, profile overrides): what the config editor builds its form from.
#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <optional>

namespace prodmcp::console {

struct KeyDescription {
  QString key;      // "section.key"
  QString section;
  QString name;     // the part after the section
  QString type;     // "boolean", "integer", "number", "string", "string list", ...
  QString doc;
  QString env;
  QJsonValue default_value;
  QMap<QString, QJsonValue> profile_defaults;  // profile -> what it sets instead of the default
  bool secret = false;
  bool reloadable = false;
  std::optional<double> min, max;
  QStringList choices;
};

class ConfigSchema {
 public:
  // From `prodmcp-server describe-config` output; empty (with `error` set) when it is not that.
  static ConfigSchema from_json(QByteArray const& json, QString* error = nullptr);
  // The description compiled into the console (the same library the server uses).
  static ConfigSchema builtin();

  bool empty() const { return keys_.isEmpty(); }
  QList<KeyDescription> const& keys() const { return keys_; }
  QStringList const& sections() const { return sections_; }
  QStringList const& profiles() const { return profiles_; }
  KeyDescription const* find(QString const& key) const;

 private:
  QList<KeyDescription> keys_;
  QStringList sections_;
  QStringList profiles_;
};

}  // namespace prodmcp::console
