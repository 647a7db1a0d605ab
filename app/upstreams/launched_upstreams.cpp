#include "upstreams/launched_upstreams.hpp"

#include <QStringList>
#include <stdexcept>

#include "config/loader.hpp"
#include "config/upstream_flags.hpp"
#include "util/environment.hpp"

namespace prodmcp::console {

namespace {

// The flag layer of the launch's arguments that can declare or change upstreams. Other flags are
// the supervisor's own (ports, log format) and do not touch upstreams.
std::vector<config::FlagSetting> upstream_flags(QStringList const& arguments) {
  std::vector<config::FlagSetting> flags;
  for (qsizetype i = 0; i < arguments.size(); ++i) {
    QString flag = arguments[i];
    QString value;
    if (auto const equals = flag.indexOf('='); flag.startsWith("--") && equals > 0) {
      value = flag.mid(equals + 1);
      flag.truncate(equals);
    } else if (flag == "--upstream" || flag == "--mcp-json" || flag == "--set") {
      if (i + 1 >= arguments.size()) break;
      value = arguments[++i];
    }
    auto const text = value.toStdString();
    if (flag == "--upstream") {
      for (auto& setting : config::upstream_flag(text)) flags.push_back(std::move(setting));
    } else if (flag == "--mcp-json") {
      for (auto& setting : config::mcp_json_file(text)) flags.push_back(std::move(setting));
    } else if (flag == "--set") {
      if (auto const equals = text.find('='); equals != std::string::npos)
        flags.push_back({text.substr(0, equals), text.substr(equals + 1), "--set"});
    }
  }
  return flags;
}

}  // namespace

LaunchedUpstreams launched_upstreams(ServerLaunchOptions const& launch) {
  LaunchedUpstreams result;
  config::ConfigSources sources;
  sources.file = launch.config_file.toStdString();
  if (!launch.profile.isEmpty()) sources.profile = launch.profile.toStdString();
  try {
    sources.flags = upstream_flags(launch.extra_arguments);
  } catch (std::invalid_argument const& error) {
    result.error = QString::fromStdString(error.what());
    return result;
  }
  auto const loaded = config::load_config(sources);
  if (!loaded.ok()) {
    result.error = QString::fromStdString(loaded.errors().front().to_string());
    return result;
  }
  for (auto const& [name, upstream] : loaded.settings.upstreams) result.upstreams[QString::fromStdString(name)] = upstream;
  return result;
}

DirectTarget direct_target(config::UpstreamSettings const& upstream) {
  DirectTarget target;
  if (!upstream.url.empty()) {
    target.url = QUrl(QString::fromStdString(upstream.url));
    for (auto const& [name, value] : upstream.headers)
      target.headers.append({QByteArray::fromStdString(name), QByteArray::fromStdString(util::expand_environment(value))});
    return target;
  }
  target.program = QString::fromStdString(upstream.command);
  for (auto const& argument : upstream.args) target.arguments << QString::fromStdString(argument);
  target.working_directory = QString::fromStdString(upstream.cwd);
  for (auto const& [name, value] : upstream.env)
    target.environment.insert(QString::fromStdString(name), QString::fromStdString(util::expand_environment(value)));
  return target;
}

}  // namespace prodmcp::console
