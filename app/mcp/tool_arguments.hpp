#pragma once
// A tool's arguments as form fields, from its JSON input schema, and back: the text typed per
// field becomes the JSON the schema asks for, or an error that names the field and what to enter.
#include <QJsonObject>
#include <QJsonValue>
#include <QMap>
#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

namespace prodmcp::console {

struct ArgumentField {
  QString name;
  QString type;  // string, integer, number, boolean, or json (objects, arrays, anything else)
  QString description;
  bool required = false;
  QJsonValue default_value;
  QStringList choices;  // an enum
};

std::vector<ArgumentField> argument_fields(QJsonObject const& input_schema);

// Arguments that satisfy the schema's required properties with the least said: each one's default,
// else its first enum value, else a plain value of its type (its minimum for numbers). Optional
// properties are left out. For load that calls a tool many times without a person filling a form.
QJsonObject example_arguments(QJsonObject const& input_schema);

// Empty text for an optional field leaves it out.
std::optional<QJsonObject> arguments_from_text(std::vector<ArgumentField> const& fields,
                                               QMap<QString, QString> const& values, QString& error);

}  // namespace prodmcp::console
