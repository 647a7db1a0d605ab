#include "readiness/readiness_assessment.hpp"

#include <QFile>
#include <QJsonArray>
#include <QRegularExpression>

#include "config_editor/config_comparison.hpp"

namespace prodmcp::console {

namespace {

using State = ReadinessItem::State;

QString read_file(QString const& path) {
  QFile file(path);
  return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

ReadinessItem logs_item(ReadinessEvidence const& e) {
  ReadinessItem item{QObject::tr("Structured JSON logs"), State::kUnknown, {}, {}};
  if (e.log_lines == 0) {
    item.evidence = QObject::tr("no log lines seen yet");
    return item;
  }
  item.evidence = QObject::tr("%1 of the last %2 lines are JSON objects with timestamp, level and event")
                      .arg(e.json_log_lines)
                      .arg(e.log_lines);
  item.state = e.json_log_lines * 100 >= e.log_lines * 95 ? State::kMet : State::kNotMet;
  item.fix = QObject::tr("set logging.format = \"json\"");
  return item;
}

ReadinessItem correlation_item(ReadinessEvidence const& e) {
  ReadinessItem item{QObject::tr("Correlation ids on every request"), State::kUnknown, {}, {}};
  if (e.request_lines == 0) {
    item.evidence = QObject::tr("no request log lines seen yet (send a request, or lower logging.level to info)");
    return item;
  }
  item.evidence = QObject::tr("%1 of %2 request lines carry a correlation_id")
                      .arg(e.request_lines_with_correlation_id)
                      .arg(e.request_lines);
  item.state = e.request_lines_with_correlation_id == e.request_lines ? State::kMet : State::kNotMet;
  item.fix = QObject::tr("requests without correlation ids cannot be followed through the logs");
  return item;
}

ReadinessItem metrics_item(ReadinessEvidence const& e) {
  ReadinessItem item{QObject::tr("Prometheus metrics"), State::kNotMet, {}, QObject::tr("turn on the admin port (server.admin_listen)")};
  if (!e.scrape_ok) {
    item.evidence = QObject::tr("/metrics could not be scraped");
    return item;
  }
  item.evidence = QObject::tr("/metrics scraped; %1 request-latency histogram series").arg(e.request_metric_series);
  item.state = State::kMet;
  return item;
}

ReadinessItem probes_item(ReadinessEvidence const& e) {
  ReadinessItem item{QObject::tr("Liveness and readiness with dependencies"), State::kUnknown, {}, {}};
  if (!e.live) {
    item.evidence = QObject::tr("not polled yet");
    return item;
  }
  item.evidence = QObject::tr("/health %1; /ready %2, checking %3")
                      .arg(*e.live ? QObject::tr("answers") : QObject::tr("does not answer"),
                           e.ready.value_or(false) ? QObject::tr("ready") : QObject::tr("not ready"),
                           e.readiness_checks.isEmpty() ? QObject::tr("nothing") : e.readiness_checks.join(", "));
  item.state = *e.live && !e.readiness_checks.isEmpty() ? State::kMet : State::kNotMet;
  item.fix = QObject::tr("the admin port must answer /health and /ready");
  return item;
}

ReadinessItem auth_item(ReadinessEvidence const& e) {
  ReadinessItem item{QObject::tr("Authentication"), State::kUnknown, {}, {}};
  if (e.running_config.isEmpty()) {
    item.evidence = QObject::tr("the running config is not known (GET /config)");
    return item;
  }
  bool const enabled = config_value(e.running_config, "auth.enabled").toBool();
  auto const clients = config_value(e.running_config, "auth.clients").toObject().size();
  item.evidence = enabled ? (clients == 1 ? QObject::tr("bearer tokens required; 1 client configured")
                                          : QObject::tr("bearer tokens required; %1 clients configured").arg(clients))
                          : QObject::tr("auth.enabled is false: anyone who reaches /mcp may call every tool");
  item.state = enabled && clients > 0 ? State::kMet : State::kNotMet;
  item.fix = QObject::tr("set auth.enabled = true and add clients (prodmcp-server hash-token)");
  return item;
}

ReadinessItem limits_item(ReadinessEvidence const& e) {
  ReadinessItem item{QObject::tr("Request limits and rate limiting"), State::kUnknown, {}, {}};
  if (e.running_config.isEmpty()) {
    item.evidence = QObject::tr("the running config is not known (GET /config)");
    return item;
  }
  auto const body = config_value(e.running_config, "limits.max_request_size").toDouble();
  bool const rate_limited = config_value(e.running_config, "rate_limit.enabled").toBool();
  auto const per_minute = config_value(e.running_config, "rate_limit.requests_per_minute").toDouble();
  item.evidence = QObject::tr("bodies up to %1 KiB; rate limit %2")
                      .arg(body / 1024, 0, 'f', 0)
                      .arg(rate_limited ? QObject::tr("%1 requests/min per client").arg(per_minute) : QObject::tr("off"));
  item.state = rate_limited && body > 0 && body <= 10 * 1024 * 1024 ? State::kMet : State::kNotMet;
  item.fix = QObject::tr("keep limits.max_request_size at most 10 MiB and rate_limit.enabled = true");
  return item;
}

ReadinessItem non_root_item(ReadinessEvidence const& e) {
  ReadinessItem item{QObject::tr("Runs as a non-root user"), State::kUnknown, {}, {}};
  if (!e.uid) {
    item.evidence = QObject::tr("the process is not visible from here");
    return item;
  }
  item.evidence = QObject::tr("the server process runs as uid %1").arg(*e.uid);
  item.state = *e.uid != 0 ? State::kMet : State::kNotMet;
  item.fix = QObject::tr("run it as a service user (the container image uses uid 1000, the systemd unit DynamicUser)");
  return item;
}

ReadinessItem resource_item(ReadinessEvidence const& e) {
  ReadinessItem item{QObject::tr("Resource limits"), State::kUnknown, {}, {}};
  if (!e.memory_limit && !e.address_space_limit) {
    item.evidence = QObject::tr("the process is not visible from here");
    return item;
  }
  bool const memory = e.memory_limit && !e.memory_limit->isEmpty() && *e.memory_limit != QLatin1String("max");
  bool const address = e.address_space_limit && *e.address_space_limit != QLatin1String("unlimited");
  item.evidence = QObject::tr("cgroup memory.max %1; address space %2")
                      .arg(e.memory_limit.value_or(QObject::tr("unknown")), e.address_space_limit.value_or(QObject::tr("unknown")));
  item.state = memory || address ? State::kMet : State::kNotMet;
  item.fix = QObject::tr("give it a memory limit (compose deploy.resources, Kubernetes resources.limits, systemd MemoryMax)");
  return item;
}

ReadinessItem alerts_item(ReadinessEvidence const& e) {
  ReadinessItem item{QObject::tr("Alert rules on its metrics"), State::kNotMet, {}, {}};
  item.evidence = QObject::tr("%1 rules (the shipped Prometheus rule file), %2 could not be evaluated")
                      .arg(e.alert_rules)
                      .arg(e.alert_rule_errors);
  item.state = e.alert_rules > 0 && e.alert_rule_errors == 0 && e.scrape_ok ? State::kMet : State::kNotMet;
  item.fix = QObject::tr("rules need the scraped metrics they read");
  return item;
}

ReadinessItem profile_item(ReadinessEvidence const& e) {
  ReadinessItem item{QObject::tr("Production profile"), State::kUnknown, {}, {}};
  if (e.running_config.isEmpty()) {
    item.evidence = QObject::tr("the running config is not known (GET /config)");
    return item;
  }
  auto const profile = e.running_config.value("profile").toString();
  item.evidence = QObject::tr("profile %1 (%2)").arg(profile, e.running_config.value("profile_origin").toString());
  item.state = profile == QLatin1String("production") ? State::kMet : State::kNotMet;
  item.fix = QObject::tr("run with --profile production (or ENVIRONMENT=production): it refuses unsafe settings");
  return item;
}

}  // namespace

QString readiness_state_name(ReadinessItem::State state) {
  switch (state) {
    case State::kMet: return QObject::tr("met");
    case State::kNotMet: return QObject::tr("not met");
    case State::kUnknown: return QObject::tr("unknown");
  }
  return {};
}

QList<ReadinessItem> assess_readiness(ReadinessEvidence const& e) {
  return {logs_item(e),  correlation_item(e), metrics_item(e),  probes_item(e),   auth_item(e),
          limits_item(e), non_root_item(e),   resource_item(e), alerts_item(e),   profile_item(e)};
}

int readiness_score(QList<ReadinessItem> const& items) {
  int judged = 0;
  int met = 0;
  for (auto const& item : items) {
    judged += item.state != State::kUnknown;
    met += item.state == State::kMet;
  }
  return judged == 0 ? 0 : (met * 100 + judged / 2) / judged;
}

ProcessFacts read_process_facts(qint64 pid) {
  ProcessFacts facts;
  if (pid <= 0) return facts;
  auto const proc = QStringLiteral("/proc/%1/").arg(pid);
  static QRegularExpression const uid_line(QStringLiteral(R"(^Uid:\s+(\d+))"), QRegularExpression::MultilineOption);
  if (auto const match = uid_line.match(read_file(proc + "status")); match.hasMatch()) facts.uid = match.captured(1).toInt();
  static QRegularExpression const as_line(QStringLiteral(R"(^Max address space\s+(\S+))"), QRegularExpression::MultilineOption);
  if (auto const match = as_line.match(read_file(proc + "limits")); match.hasMatch()) facts.address_space_limit = match.captured(1);
  // cgroup v2 ("0::/path", the group's memory.max) or v1 ("N:memory:/path", memory.limit_in_bytes,
  // where no limit reads as a number near 2^63).
  for (auto const& line : read_file(proc + "cgroup").split(QLatin1Char('\n'))) {
    auto const fields = line.split(QLatin1Char(':'));
    if (fields.size() < 3) continue;
    auto const path = fields.mid(2).join(QLatin1Char(':'));
    if (fields[1].isEmpty()) {
      if (auto const limit = read_file(QStringLiteral("/sys/fs/cgroup%1/memory.max").arg(path)).trimmed(); !limit.isEmpty())
        facts.memory_limit = limit;
    } else if (fields[1].split(QLatin1Char(',')).contains(QStringLiteral("memory")) && !facts.memory_limit) {
      auto const limit = read_file(QStringLiteral("/sys/fs/cgroup/memory%1/memory.limit_in_bytes").arg(path)).trimmed();
      bool numeric = false;
      auto const bytes = limit.toULongLong(&numeric);
      if (numeric) facts.memory_limit = bytes >= (1ULL << 62) ? QStringLiteral("max") : limit;
    }
  }
  return facts;
}

}  // namespace prodmcp::console
