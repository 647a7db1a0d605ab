#include "config_editor/config_schema.hpp"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "config/report.hpp"

namespace prodmcp::console {

namespace {

QStringList strings(QJsonValue const& value) {
  QStringList result;
  for (auto const& item : value.toArray()) result << item.toString();
  return result;
}

}  // namespace

ConfigSchema ConfigSchema::from_json(QByteArray const& json, QString* error) {
  QJsonParseError parse_error{};
  auto const document = QJsonDocument::fromJson(json, &parse_error);
  ConfigSchema schema;
  auto fail = [&](QString const& why) {
    if (error) *error = why;
    return ConfigSchema{};
  };
  if (parse_error.error != QJsonParseError::NoError) return fail(parse_error.errorString());
  auto const root = document.object();
  if (!root.value("keys").isArray()) return fail(QStringLiteral("no \"keys\" array: not describe-config output"));
  schema.sections_ = strings(root.value("sections"));
  schema.profiles_ = strings(root.value("profiles"));
  for (auto const& item : root.value("keys").toArray()) {
    auto const object = item.toObject();
    KeyDescription key;
    key.key = object.value("key").toString();
    key.section = object.value("section").toString();
    key.name = key.key.mid(key.section.size() + 1);
    key.type = object.value("type").toString();
    key.doc = object.value("doc").toString();
    key.env = object.value("env").toString();
    key.default_value = object.value("default");
    key.secret = object.value("secret").toBool();
    key.reloadable = object.value("reloadable").toBool();
    if (object.contains("min")) key.min = object.value("min").toDouble();
    if (object.contains("max")) key.max = object.value("max").toDouble();
    key.choices = strings(object.value("choices"));
    auto const profiles = object.value("profiles").toObject();
    for (auto it = profiles.begin(); it != profiles.end(); ++it) key.profile_defaults.insert(it.key(), it.value());
    if (key.key.isEmpty() || key.section.isEmpty()) return fail(QStringLiteral("a key without a name or section"));
    if (!schema.sections_.contains(key.section)) schema.sections_ << key.section;
    schema.keys_ << key;
  }
  if (schema.keys_.isEmpty()) return fail(QStringLiteral("describe-config listed no keys"));
  return schema;
}

ConfigSchema ConfigSchema::builtin() {
  return from_json(QByteArray::fromStdString(config::describe_config_json()));
}

KeyDescription const* ConfigSchema::find(QString const& key) const {
  for (auto const& description : keys_)
    if (description.key == key) return &description;
  return nullptr;
}

}  // namespace prodmcp::console
