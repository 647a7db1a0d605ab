#include "mcp/tool_arguments.hpp"

#include <QJsonArray>
#include <algorithm>
#include <QJsonDocument>

namespace prodmcp::console {

std::vector<ArgumentField> argument_fields(QJsonObject const& input_schema) {
  std::vector<ArgumentField> fields;
  QStringList required;
  for (auto const& name : input_schema.value("required").toArray()) required << name.toString();
  auto const properties = input_schema.value("properties").toObject();
  for (auto it = properties.begin(); it != properties.end(); ++it) {
    auto const property = it.value().toObject();
    ArgumentField field;
    field.name = it.key();
    auto const type = property.value("type").toString();
    field.type = type == "string" || type == "integer" || type == "number" || type == "boolean" ? type : "json";
    field.description = property.value("description").toString();
    field.required = required.contains(field.name);
    field.default_value = property.value("default");
    for (auto const& choice : property.value("enum").toArray())
      field.choices << choice.toVariant().toString();
    fields.push_back(std::move(field));
  }
  // Required first, then by name, so the form starts with what must be filled in.
  std::stable_sort(fields.begin(), fields.end(), [](ArgumentField const& a, ArgumentField const& b) {
    return a.required != b.required ? a.required : a.name < b.name;
  });
  return fields;
}

namespace {

// "string", or the first of ["string", "null"] that is not null.
QString type_of(QJsonObject const& property) {
  auto const type = property.value("type");
  if (!type.isArray()) return type.toString();
  for (auto const& one : type.toArray())
    if (one.toString() != "null") return one.toString();
  return {};
}

}  // namespace

QJsonObject example_arguments(QJsonObject const& input_schema) {
  QJsonObject arguments;
  auto const properties = input_schema.value("properties").toObject();
  for (auto const& name : input_schema.value("required").toArray()) {
    auto const property = properties.value(name.toString()).toObject();
    QJsonValue value;
    if (property.contains("default")) value = property.value("default");
    else if (property.contains("const")) value = property.value("const");
    else if (auto const choices = property.value("enum").toArray(); !choices.isEmpty()) value = choices.first();
    else if (auto const type = type_of(property); type == "integer") value = property.value("minimum").toInteger(1);
    else if (type == "number") value = property.value("minimum").toDouble(1);
    else if (type == "boolean") value = false;
    else if (type == "array") value = QJsonArray{};
    else if (type == "object") value = example_arguments(property);
    else value = QStringLiteral("example");
    arguments.insert(name.toString(), value);
  }
  return arguments;
}

std::optional<QJsonObject> arguments_from_text(std::vector<ArgumentField> const& fields,
                                               QMap<QString, QString> const& values, QString& error) {
  QJsonObject arguments;
  for (auto const& field : fields) {
    QString const text = values.value(field.name).trimmed();
    if (text.isEmpty()) {
      if (field.required) {
        error = QStringLiteral("%1 is required").arg(field.name);
        return std::nullopt;
      }
      continue;
    }
    bool ok = true;
    QJsonValue value;
    if (field.type == "string") {
      value = text;
    } else if (field.type == "integer") {
      value = text.toLongLong(&ok);
      if (!ok) error = QStringLiteral("%1 must be a whole number, e.g. 42 (not \"%2\")").arg(field.name, text);
    } else if (field.type == "number") {
      value = text.toDouble(&ok);
      if (!ok) error = QStringLiteral("%1 must be a number, e.g. 0.5 (not \"%2\")").arg(field.name, text);
    } else if (field.type == "boolean") {
      ok = text == "true" || text == "false";
      value = text == "true";
      if (!ok) error = QStringLiteral("%1 must be true or false").arg(field.name);
    } else {
      QJsonParseError parse_error{};
      auto const document = QJsonDocument::fromJson("[" + text.toUtf8() + "]", &parse_error);
      ok = parse_error.error == QJsonParseError::NoError;
      if (ok) value = document.array().first();
      else error = QStringLiteral("%1 must be JSON: %2").arg(field.name, parse_error.errorString());
    }
    if (!ok) return std::nullopt;
    if (!field.choices.isEmpty() && !field.choices.contains(text)) {
      error = QStringLiteral("%1 must be one of: %2").arg(field.name, field.choices.join(", "));
      return std::nullopt;
    }
    arguments.insert(field.name, value);
  }
  return arguments;
}

}  // namespace prodmcp::console
