#include "config_editor/config_document.hpp"

#include <QJsonArray>
#include <QJsonDocument>
#include <charconv>

#include "config/key_registry.hpp"
#include "config/loader.hpp"
#include "config/report.hpp"
#include "config/toml_reader.hpp"

namespace prodmcp::console {

namespace {

// The shortest text that reads back as the same number (0.1, not 0.10000000000000001).
QString shortest(double number) {
  char buffer[32];
  auto const result = std::to_chars(buffer, buffer + sizeof buffer, number);
  return QString::fromLatin1(buffer, result.ptr - buffer);
}

config::ConfigSources sources_for(QString const& text, QString const& name, QString const& profile) {
  config::ConfigSources sources;
  sources.file = name.toStdString();
  sources.file_text = text.toStdString();
  if (!profile.isEmpty()) sources.profile = profile.toStdString();
  // The document alone: the console's own environment must not change the verdict.
  sources.env = [](std::string const&) { return std::optional<std::string>(); };
  return sources;
}

QJsonObject to_object(std::string const& json) {
  return QJsonDocument::fromJson(QByteArray::fromStdString(json)).object();
}

QString form_text_of(config::Value const& value) {
  return std::visit(
      [](auto const& item) -> QString {
        using T = std::decay_t<decltype(item)>;
        if constexpr (std::is_same_v<T, bool>) {
          return item ? QStringLiteral("true") : QStringLiteral("false");
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          return QString::number(item);
        } else if constexpr (std::is_same_v<T, double>) {
          return shortest(item);
        } else if constexpr (std::is_same_v<T, std::string>) {
          return QString::fromStdString(item);
        } else if constexpr (std::is_same_v<T, config::StringList>) {
          QStringList parts;
          for (auto const& part : item) parts << QString::fromStdString(part);
          return parts.join(QLatin1Char(','));
        } else {
          QStringList parts;
          for (auto const& [name, entry] : item) {
            if constexpr (std::is_same_v<T, config::StringMap>)
              parts << QString::fromStdString(name) + QLatin1Char('=') + QString::fromStdString(entry);
            else
              parts << QString::fromStdString(name) + QLatin1Char('=') + QString::number(entry);
          }
          return parts.join(QLatin1Char(','));
        }
      },
      value);
}

}  // namespace

QString ConfigProblem::text() const {
  QString result;
  if (line > 0) result += QStringLiteral("%1:%2: ").arg(line).arg(column);
  result += error ? QStringLiteral("error: ") : QStringLiteral("warning: ");
  if (!key.isEmpty() && !message.startsWith(key)) result += key + QStringLiteral(": ");
  result += message;
  if (!hint.isEmpty()) result += QStringLiteral(" (hint: %1)").arg(hint);
  return result;
}

ConfigDocument::ConfigDocument(QObject* parent) : QObject(parent) { analyse(); }

void ConfigDocument::set_text(QString const& text) {
  if (text == text_) return;
  text_ = text;
  analyse();
  emit changed();
}

void ConfigDocument::set_name(QString name) {
  if (name == name_) return;
  name_ = std::move(name);
  analyse();
  emit changed();
}

void ConfigDocument::set_profile(QString profile) {
  if (profile == profile_) return;
  profile_ = std::move(profile);
  analyse();
  emit changed();
}

void ConfigDocument::analyse() {
  entries_.clear();
  auto const contents = config::read_toml(text_.toStdString(), name_.toStdString());
  for (auto const& entry : contents.entries)
    entries_.push_back({QString::fromStdString(entry.key), form_text_of(entry.value),
                        {entry.line, entry.column, entry.end_line, entry.end_column}, entry.inline_value});
  problems_.clear();
  auto const loaded = config::load_config(sources_for(text_, name_, profile_));
  effective_ = to_object(config::print_config_json(loaded));
  for (auto const& diagnostic : loaded.diagnostics)
    problems_ << ConfigProblem{diagnostic.is_error(),           diagnostic.line,
                               diagnostic.column,               QString::fromStdString(diagnostic.key),
                               QString::fromStdString(diagnostic.message), QString::fromStdString(diagnostic.hint)};
}

ConfigDocument::Entry const* ConfigDocument::find(QString const& key) const {
  for (auto const& entry : entries_)
    if (entry.key == key) return &entry;
  return nullptr;
}

std::optional<QString> ConfigDocument::written(QString const& key) const {
  if (auto const* entry = find(key)) return entry->form_text;
  return std::nullopt;
}

bool ConfigDocument::editable(QString const& key) const {
  auto const* entry = find(key);
  return !entry || entry->inline_value;
}

QString ConfigDocument::set_value(QString const& key, QString const& form_text) {
  auto const* spec = config::find_key(key.toStdString());
  if (!spec) return tr("%1 is not a config key").arg(key);
  std::string problem;
  auto const value = config::parse_text(spec->type, form_text.toStdString(), problem);
  if (!value) return QString::fromStdString(problem);
  if (auto const rule = spec->validate(*value)) return QString::fromStdString(*rule);
  auto const literal = QString::fromStdString(config::to_toml(*value));
  auto const* entry = find(key);
  if (entry && !entry->inline_value) return tr("%1 is written as a table of its own: edit it in the text").arg(key);
  if (entry) {
    set_text(toml_edit::replace_value(text_, entry->range, literal));
    return {};
  }
  auto const section = QString::fromStdString(std::string(spec->section()));
  int last_line = 0;
  for (auto const& other : entries_)
    if (other.key.startsWith(section + QLatin1Char('.'))) last_line = std::max(last_line, other.range.end_line);
  set_text(toml_edit::insert_key(text_, section, key.mid(section.size() + 1), literal, last_line));
  return {};
}

bool ConfigDocument::remove(QString const& key) {
  auto const* entry = find(key);
  if (!entry || !toml_edit::stands_alone(text_, entry->range)) return false;
  set_text(toml_edit::remove_key(text_, entry->range));
  return true;
}

QString ConfigDocument::add_upstream(UpstreamDraft const& draft) {
  auto const prefix = QStringLiteral("upstreams.%1.").arg(draft.name);
  for (auto const& entry : entries_)
    if (entry.key.startsWith(prefix))
      return tr("the document already has an upstream called \"%1\": choose another name").arg(draft.name);
  QString text = text_;
  if (!text.isEmpty() && !text.endsWith('\n')) text += '\n';
  if (!text.isEmpty() && !text.endsWith(QStringLiteral("\n\n"))) text += '\n';
  set_text(text + toml_table(draft));
  return {};
}

int ConfigDocument::error_count() const {
  return static_cast<int>(std::count_if(problems_.begin(), problems_.end(), [](auto const& p) { return p.error; }));
}

QJsonObject ConfigDocument::effective(QString const& profile) const {
  if (profile.isEmpty() || profile == profile_) return effective_;  // what the checker already loaded
  return to_object(config::print_config_json(config::load_config(sources_for(text_, name_, profile))));
}

QString ConfigDocument::form_text(QJsonValue const& value) {
  switch (value.type()) {
    case QJsonValue::Bool: return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: {
      auto const number = value.toDouble();
      auto const whole = static_cast<qint64>(number);
      return static_cast<double>(whole) == number ? QString::number(whole) : shortest(number);
    }
    case QJsonValue::String: return value.toString();
    case QJsonValue::Array: {
      QStringList parts;
      for (auto const& item : value.toArray()) parts << form_text(item);
      return parts.join(QLatin1Char(','));
    }
    case QJsonValue::Object: {
      QStringList parts;
      auto const object = value.toObject();
      for (auto it = object.begin(); it != object.end(); ++it) parts << it.key() + QLatin1Char('=') + form_text(it.value());
      return parts.join(QLatin1Char(','));
    }
    default: return {};
  }
}

}  // namespace prodmcp::console
