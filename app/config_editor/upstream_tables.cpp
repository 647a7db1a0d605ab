#include "config_editor/upstream_tables.hpp"

#include <QDir>
#include <QFileInfo>
#include <map>
#include <stdexcept>

#include "config/key_registry.hpp"
#include "config/upstream_flags.hpp"
#include "config/upstream_keys.hpp"
#include "supervision/upstream_arguments.hpp"

namespace prodmcp::console {

namespace {

std::string key_of(QString const& name, char const* leaf) { return "upstreams." + name.toStdString() + "." + leaf; }

// "NAME=VALUE" lines (or "Name: value" with `separator` ':') as a map; blank lines skipped.
std::optional<config::StringMap> pairs(QString const& lines, QChar separator, QString const& what, QString& error) {
  config::StringMap map;
  for (auto const& raw : lines.split('\n')) {
    auto const line = raw.trimmed();
    if (line.isEmpty()) continue;
    auto const at = line.indexOf(separator);
    if (at <= 0) {
      error = QObject::tr("%1: write \"%2\" as NAME%3VALUE").arg(what, line, separator);
      return std::nullopt;
    }
    map[line.left(at).trimmed().toStdString()] = line.mid(at + 1).trimmed().toStdString();
  }
  return map;
}

config::FlagSetting setting(QString const& name, char const* leaf, config::Value value) {
  config::FlagSetting result;
  result.key = key_of(name, leaf);
  result.flag = "console";
  result.value = std::move(value);
  return result;
}

// Each setting's value as its key's rules want it; the first refusal in `error`.
bool checked(std::vector<config::FlagSetting> const& settings, QString& error) {
  for (auto const& one : settings) {
    auto const* spec = config::find_key(one.key);
    if (!spec) {
      error = QObject::tr("%1 is not a config key").arg(QString::fromStdString(one.key));
      return false;
    }
    if (auto const rule = spec->validate(*one.value)) {
      error = QString::fromStdString(one.key + ": " + *rule);
      return false;
    }
  }
  return true;
}

bool valid_name(QString const& name, QString& error) {
  if (config::valid_upstream_name(name.toStdString())) return true;
  error = QObject::tr("the name \"%1\" must be 1-64 lowercase letters, digits or '-'").arg(name);
  return false;
}

}  // namespace

QString UpstreamDraft::summary() const {
  QStringList words;
  for (auto const& one : settings) {
    if (!one.value) continue;
    if (one.key.ends_with(".url") || one.key.ends_with(".command"))
      words.prepend(QString::fromStdString(std::get<std::string>(*one.value)));
    else if (one.key.ends_with(".args"))
      for (auto const& arg : std::get<config::StringList>(*one.value)) words << QString::fromStdString(arg);
  }
  return words.join(' ');
}

bool UpstreamDraft::remote() const {
  return std::any_of(settings.begin(), settings.end(), [](auto const& one) { return one.key.ends_with(".url"); });
}

std::optional<UpstreamDraft> draft_from_command(QString const& name, QString const& program, QString const& arguments,
                                                QString const& cwd, QString const& environment, QString& error) {
  if (!valid_name(name, error)) return std::nullopt;
  if (program.trimmed().isEmpty()) {
    error = QObject::tr("name the program that runs your server (python3, node, npx, or the server itself)");
    return std::nullopt;
  }
  UpstreamDraft draft{name, {}};
  try {
    // The program is one word whatever it holds; the arguments are split as a shell would.
    draft.settings = config::upstream_flag((name + '=' + shell_quoted(program.trimmed()) + ' ' + arguments).toStdString());
  } catch (std::invalid_argument const& problem) {
    error = QString::fromStdString(problem.what());
    return std::nullopt;
  }
  if (!cwd.trimmed().isEmpty()) draft.settings.push_back(setting(name, "cwd", cwd.trimmed().toStdString()));
  auto env = pairs(environment, '=', QObject::tr("environment"), error);
  if (!env) return std::nullopt;
  if (!env->empty()) draft.settings.push_back(setting(name, "env", std::move(*env)));
  if (!checked(draft.settings, error)) return std::nullopt;
  return draft;
}

std::optional<UpstreamDraft> draft_from_url(QString const& name, QString const& url, QString const& headers,
                                            QString& error) {
  if (!valid_name(name, error)) return std::nullopt;
  auto const trimmed = url.trimmed();
  if (!trimmed.startsWith("http://") && !trimmed.startsWith("https://")) {
    error = QObject::tr("the URL must start with http:// or https://, e.g. http://127.0.0.1:8000/mcp");
    return std::nullopt;
  }
  UpstreamDraft draft{name, {setting(name, "url", trimmed.toStdString())}};
  auto map = pairs(headers, ':', QObject::tr("headers"), error);
  if (!map) return std::nullopt;
  if (!map->empty()) draft.settings.push_back(setting(name, "headers", std::move(*map)));
  if (!checked(draft.settings, error)) return std::nullopt;
  return draft;
}

QList<UpstreamDraft> drafts_from_mcp_json(QString const& path, QString& error) {
  std::vector<config::FlagSetting> settings;
  try {
    settings = config::mcp_json_file(path.toStdString());
  } catch (std::invalid_argument const& problem) {
    error = QString::fromStdString(problem.what());
    return {};
  }
  // In the file's order, one draft per upstream name.
  QList<UpstreamDraft> drafts;
  for (auto& one : settings) {
    auto const name = QString::fromStdString(one.key).section('.', 1, 1);
    if (drafts.isEmpty() || drafts.last().name != name) drafts.append(UpstreamDraft{name, {}});
    one.flag = "console";
    drafts.last().settings.push_back(std::move(one));
  }
  for (auto const& draft : drafts)
    if (!checked(draft.settings, error)) return {};
  return drafts;
}

QString toml_table(UpstreamDraft const& draft) {
  QString table = QStringLiteral("[upstreams.%1]\n").arg(draft.name);
  auto const prefix = "upstreams." + draft.name.toStdString() + ".";
  for (auto const& one : draft.settings) {
    if (!one.value) continue;
    // Empty lists and maps say nothing a default does not.
    if (auto const* list = std::get_if<config::StringList>(&*one.value); list && list->empty()) continue;
    if (auto const* map = std::get_if<config::StringMap>(&*one.value); map && map->empty()) continue;
    table += QString::fromStdString(one.key.substr(prefix.size()) + " = " + config::to_toml(*one.value)) + '\n';
  }
  return table;
}

QList<McpJsonLocation> mcp_json_locations(QString const& home, QString const& project) {
  QList<McpJsonLocation> const candidates{
      {QObject::tr("Claude Desktop"), QDir(home).filePath(".config/Claude/claude_desktop_config.json")},
      {QObject::tr("Cursor (all projects)"), QDir(home).filePath(".cursor/mcp.json")},
      {QObject::tr("Claude Code (user)"), QDir(home).filePath(".claude.json")},
      {QObject::tr("Cursor (this project)"), QDir(project).filePath(".cursor/mcp.json")},
      {QObject::tr("VS Code (this project)"), QDir(project).filePath(".vscode/mcp.json")},
      {QObject::tr("Claude Code (this project)"), QDir(project).filePath(".mcp.json")},
  };
  QList<McpJsonLocation> found;
  for (auto const& candidate : candidates)
    if (QFileInfo(candidate.path).isFile() &&
        std::none_of(found.begin(), found.end(), [&](auto const& f) {
          return QFileInfo(f.path).canonicalFilePath() == QFileInfo(candidate.path).canonicalFilePath();
        }))
      found.append(candidate);
  return found;
}

}  // namespace prodmcp::console
