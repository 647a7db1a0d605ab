#include "upstreams/upstream_status.hpp"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "config/upstream_keys.hpp"

namespace prodmcp::console {

QString upstream_state_name(UpstreamState state) {
  switch (state) {
    case UpstreamState::kStarting: return QStringLiteral("starting");
    case UpstreamState::kReady: return QStringLiteral("ready");
    case UpstreamState::kRestarting: return QStringLiteral("restarting");
    case UpstreamState::kCrashLoop: return QStringLiteral("crash loop");
    case UpstreamState::kBreakerOpen: return QStringLiteral("breaker open");
    case UpstreamState::kDown: return QStringLiteral("down");
  }
  return {};
}

UpstreamState UpstreamStatus::display_state() const {
  if (state == "ready") return breaker == "open" ? UpstreamState::kBreakerOpen : UpstreamState::kReady;
  if (state == "starting") return UpstreamState::kStarting;
  if (state == "restarting") return UpstreamState::kRestarting;
  if (state == "failed" && detail.startsWith("crash loop")) return UpstreamState::kCrashLoop;
  return UpstreamState::kDown;
}

QString UpstreamStatus::last_exit_summary() const {
  if (!has_exit) return {};
  if (last_exit.stderr_tail.isEmpty()) return last_exit.description;
  return last_exit.description + QStringLiteral(" · ") + last_exit.stderr_tail.last();
}

namespace {

UpstreamStatus parse_one(QJsonObject const& object) {
  UpstreamStatus status;
  status.name = object.value("name").toString();
  status.state = object.value("state").toString();
  status.detail = object.value("detail").toString();
  status.transport = object.value("transport").toString();
  status.target = object.value("target").toString();
  status.sessions = object.value("sessions").toString();
  status.required = object.value("required").toBool(true);
  auto const process = object.value("process").toObject();
  status.pid = process.value("pid").toInteger();
  status.remote_session = process.value("upstream_session").toString();
  for (auto const& child : object.value("client_children").toArray())
    if (child.toObject().value("alive").toBool()) ++status.client_children;
  status.restarts = object.value("restarts").toInteger();
  status.in_flight = object.value("in_flight").toInteger();
  status.breaker = object.value("breaker").toString();
  auto const info = object.value("server_info").toObject();
  status.server_name = info.value("name").toString();
  status.server_version = info.value("version").toString();
  status.protocol_version = object.value("protocol_version").toString();
  for (auto const& tool : object.value("tools").toArray()) status.tools << tool.toString();
  status.prefix = object.value("prefix").toString();
  auto const offered = object.value("offered").toObject();
  status.tool_count = offered.value("tools").toInt(int(status.tools.size()));
  status.prompt_count = offered.value("prompts").toInt();
  status.resource_count = offered.value("resources").toInt() + offered.value("resource_templates").toInt();
  if (auto const exit = object.value("last_exit").toObject(); !exit.isEmpty()) {
    status.has_exit = true;
    status.last_exit.description = exit.value("description").toString();
    status.last_exit.failed = exit.value("failed").toBool();
    status.last_exit.at_ms = exit.value("at_unix_ms").toInteger();
    for (auto const& line : exit.value("stderr_tail").toArray()) status.last_exit.stderr_tail << line.toString();
  }
  return status;
}

}  // namespace

QString exposed_tool_name(QString const& prefix, QString const& tool) {
  return QString::fromStdString(config::exposed_name(prefix.toStdString(), tool.toStdString()));
}

QList<UpstreamStatus> parse_upstreams(QByteArray const& body, QString& error) {
  QJsonParseError parse_error;
  auto const document = QJsonDocument::fromJson(body, &parse_error);
  auto const list = document.object().value("upstreams");
  if (parse_error.error != QJsonParseError::NoError || !list.isArray()) {
    error = QStringLiteral("not a /upstreams answer: ") +
            (parse_error.error != QJsonParseError::NoError ? parse_error.errorString() : QStringLiteral("no upstreams list"));
    return {};
  }
  QList<UpstreamStatus> upstreams;
  for (auto const& item : list.toArray())
    if (item.isObject() && !item.toObject().value("name").toString().isEmpty()) upstreams << parse_one(item.toObject());
  return upstreams;
}

}  // namespace prodmcp::console
