#include "console_session.hpp"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "metrics/queries.hpp"

namespace prodmcp::console {

ConsoleSession::ConsoleSession(ConsoleOptions options, QObject* parent)
    : QObject(parent),
      options_(std::move(options)),
      alerts_([this](std::string const& expr, qint64 time_ms, QString& error) {
        return instant_query(store_, expr, time_ms, error);
      }) {
  scraper_.set_interval_ms(options_.scrape_interval_ms);
  // Rules are evaluated after each scrape, as Prometheus evaluates on fresh data.
  connect(&scraper_, &MetricsScraper::scraped, this, [this](ScrapeReport const& report) {
    alerts_.evaluate(report.time_ms);
    upstreams_.refresh_traffic(report.time_ms);
  });
  connect(&alerts_, &AlertEvaluator::state_changed, this, &ConsoleSession::record_alert_change);
  connect(&log_stream_, &LogStreamClient::output_lines, this, &ConsoleSession::log_lines);
  connect(this, &ConsoleSession::log_lines, &log_model_, &logs::LogTableModel::append_lines);
  connect(this, &ConsoleSession::log_lines, this, &ConsoleSession::record_config_reloads);
  connect(&log_stream_, &LogStreamClient::connection_changed, this, [this](bool connected, QString const& detail) {
    events_.add(connected ? EventSeverity::kInfo : EventSeverity::kWarning, QStringLiteral("console"),
                connected ? "log_stream" : "log_stream_lost", detail);
  });
  health_.set_interval_ms(options_.health_interval_ms);
  health_.set_bearer_token(options_.bearer_token);
  mcp_client_.set_bearer_token(options_.bearer_token);
  mcp_client_.set_message_log(&messages_);
  fleet_.set_interval_ms(options_.fleet_interval_ms);
  connect(&health_, &HealthPoller::updated, this, &ConsoleSession::record_health_changes);
  record_upstream_changes();
  connect(&fleet_, &FleetMonitor::alert_changed, this, [this](QString const& name, FleetAlert alert, QString const& detail) {
    auto const severity = alert == FleetAlert::kHigh     ? EventSeverity::kCritical
                          : alert == FleetAlert::kMedium ? EventSeverity::kWarning
                                                         : EventSeverity::kInfo;
    events_.add(severity, QStringLiteral("fleet"), QStringLiteral("fleet_alert_") + fleet_alert_name(alert),
                tr("%1: %2").arg(name, detail));
  });

  if (options_.replaying()) {
    events_.set_clock([this] { return replayer_.now_ms(); });
    config_editor_ = std::make_unique<ConfigEditor>(*this);
    readiness_ = std::make_unique<ReadinessChecklist>(*this);
    walkthrough_ = std::make_unique<Walkthrough>(*this);
    return;
  }
  if (options_.attached()) {
    fleet_.add({tr("attached"), tr("attached"), options_.attach_admin_url, options_.attach_mcp_url, false});
    config_editor_ = std::make_unique<ConfigEditor>(*this);
    readiness_ = std::make_unique<ReadinessChecklist>(*this);
    walkthrough_ = std::make_unique<Walkthrough>(*this);
    return;
  }
  supervisor_ = std::make_unique<ServerSupervisor>();
  supervisor_->set_options(options_.launch);
  supervisor_->server().set_restart_options(options_.restart);
  fleet_.add({kSupervisedName, options_.launch.profile.isEmpty() ? QStringLiteral("development") : options_.launch.profile,
              {}, {}, true});
  connect(&supervisor_->server(), &SupervisedProcess::output_lines, this, &ConsoleSession::log_lines);
  for (auto* process : {&supervisor_->server(), &supervisor_->redis()}) {
    connect(process, &SupervisedProcess::event, this, [this, process](QString const& kind, QString const& message) {
      record_process_event(process->name(), kind, message);
    });
  }
  connect(supervisor_.get(), &ServerSupervisor::endpoints_changed, this,
          [this](QUrl const& mcp, QUrl const& admin) { watch(admin, mcp); });
  config_editor_ = std::make_unique<ConfigEditor>(*this);
  readiness_ = std::make_unique<ReadinessChecklist>(*this);
  walkthrough_ = std::make_unique<Walkthrough>(*this);
}

ConsoleSession::~ConsoleSession() = default;

qint64 ConsoleSession::now_ms() const {
  return options_.replaying() ? replayer_.now_ms() : QDateTime::currentMSecsSinceEpoch();
}

void ConsoleSession::begin() {
  if (options_.replaying()) {
    QString error;
    if (!replayer_.load(options_.replay_file, &error)) {
      events_.add(EventSeverity::kCritical, QStringLiteral("console"), QStringLiteral("replay_failed"), error);
      return;
    }
    if (replayer_.dropped_tail())
      events_.add(EventSeverity::kWarning, QStringLiteral("console"), QStringLiteral("replay_tail_dropped"),
                  tr("the last line of %1 was cut short (the recording did not end cleanly) and is left out")
                      .arg(options_.replay_file));
    replayer_.play(options_.replay_speed);
    return;
  }
  if (options_.attached()) {
    events_.add(EventSeverity::kInfo, QStringLiteral("console"), QStringLiteral("attach"),
                tr("watching %1").arg(options_.attach_admin_url.toString()));
    watch(options_.attach_admin_url, options_.attach_mcp_url);
    return;
  }
  if (options_.autostart) supervisor_->start();
}

void ConsoleSession::watch(QUrl const& admin_url, QUrl const& mcp_url) {
  admin_url_ = admin_url;
  mcp_url_ = mcp_url;
  health_.set_endpoints(admin_url, mcp_url);
  if (!mcp_url.isEmpty()) mcp_client_.set_url(mcp_url);
  if (!admin_url.isEmpty()) faults_.set_admin_url(admin_url);
  upstreams_.set_admin_url(admin_url);
  trace_.set_admin_url(admin_url);
  // A supervised server that stopped keeps being scraped from nowhere: its failed scrapes are
  // what makes "server down" visible in the charts and alerts. Attached servers are scraped always.
  if (!admin_url.isEmpty()) {
    scraper_.set_admin_url(admin_url);
    if (!supervisor_) log_stream_.set_admin_url(admin_url);
  }
  if (supervisor_) fleet_.update_urls(kSupervisedName, admin_url, mcp_url);
  emit endpoints_changed(admin_url, mcp_url);
}

void ConsoleSession::record_process_event(QString const& source, QString const& kind, QString const& message) {
  auto severity = EventSeverity::kInfo;
  if (kind == "crash_loop") severity = EventSeverity::kCritical;
  if (kind == "exit" || kind == "kill") severity = EventSeverity::kWarning;
  events_.add(severity, source, kind, message);
}

// Transitions only, so the timeline reads as a story rather than a poll log.
void ConsoleSession::record_health_changes() {
  auto const* liveness = health_.latest(HealthPoller::kLiveness);
  auto const* round_trip = health_.latest(HealthPoller::kMcpRoundTrip);
  bool const live = health_.live();
  bool const ready = health_.ready();
  bool const serving = round_trip && round_trip->state == CheckState::kHealthy;
  QString const source = QStringLiteral("health");
  if (live != was_live_)
    events_.add(live ? EventSeverity::kInfo : EventSeverity::kWarning, source, live ? "live" : "not_live",
                live ? tr("/health answers") : tr("/health fails: %1").arg(liveness ? liveness->detail : QString()));
  if (ready != was_ready_)
    events_.add(ready ? EventSeverity::kInfo : EventSeverity::kWarning, source, ready ? "ready" : "not_ready",
                ready ? tr("/ready answers 200") : tr("/ready fails"));
  if (serving != was_serving_mcp_)
    events_.add(serving ? EventSeverity::kInfo : EventSeverity::kWarning, source, serving ? "serving_mcp" : "mcp_failing",
                serving ? tr("MCP round-trip succeeds") : tr("MCP round-trip fails"));
  was_live_ = live;
  was_ready_ = ready;
  was_serving_mcp_ = serving;
}

void ConsoleSession::set_bearer_token(QString token) {
  options_.bearer_token = token;
  health_.set_bearer_token(token);
  mcp_client_.set_bearer_token(std::move(token));
}

void ConsoleSession::set_launch_options(ServerLaunchOptions options) {
  if (!supervisor_) return;
  auto const& before = supervisor_->options();
  QStringList changes;
  if (options.config_file != before.config_file)
    changes << tr("config file %1").arg(options.config_file.isEmpty() ? tr("built-in defaults") : options.config_file);
  if (options.profile != before.profile)
    changes << tr("profile %1").arg(options.profile.isEmpty() ? tr("default") : options.profile);
  supervisor_->set_options(std::move(options));
  if (!changes.isEmpty())
    events_.add(EventSeverity::kInfo, QStringLiteral("console"), QStringLiteral("config"),
                tr("next start uses %1").arg(changes.join(tr(" and "))));
}

// The server's own word on a SIGHUP reload: what changed, what needs a restart, or why it failed.
void ConsoleSession::record_config_reloads(QList<QByteArray> const& lines) {
  for (auto const& line : lines) {
    bool const reloaded = line.contains(R"("event":"config_reloaded")");
    bool const failed = !reloaded && line.contains(R"("event":"config_reload_failed")");
    if (!reloaded && !failed) continue;
    auto const fields = QJsonDocument::fromJson(line).object();
    auto const list = [&](char const* key) {
      QStringList items;
      for (auto const& item : fields.value(key).toArray()) items << item.toString();
      return items.isEmpty() ? tr("nothing") : items.join(", ");
    };
    if (reloaded)
      events_.add(EventSeverity::kInfo, QStringLiteral("prodmcp-server"), QStringLiteral("config_reloaded"),
                  tr("config reloaded: changed %1; restart required for %2").arg(list("changed"), list("restart_required")));
    else
      events_.add(EventSeverity::kWarning, QStringLiteral("prodmcp-server"), QStringLiteral("config_reload_failed"),
                  tr("config reload refused, old config kept: %1").arg(list("errors")));
  }
}

void ConsoleSession::record_alert_change(AlertStatus const& status, AlertState from) {
  if (options_.replaying()) return;  // the recording has the alert events of the time
  QString const name = QString::fromStdString(status.rule->name);
  qint64 const now = now_ms();
  if (status.state == AlertState::kInactive) {
    if (from == AlertState::kFiring)
      events_.add(EventSeverity::kInfo, QStringLiteral("alerts"), QStringLiteral("alert_resolved"), tr("%1 resolved").arg(name));
    return;
  }
  auto const severity = status.state == AlertState::kPending ? EventSeverity::kInfo
                        : status.rule->severity == "critical" ? EventSeverity::kCritical
                                                               : EventSeverity::kWarning;
  events_.add(severity, QStringLiteral("alerts"), QStringLiteral("alert_") + alert_state_name(status.state),
              alerts_.describe(status, now));
}

QList<ChartLine> ConsoleSession::chart_lines(ChartSpec const& spec, std::chrono::seconds window, qint64 end_ms) const {
  return evaluate_chart(store_, spec, window, end_ms);
}

// An upstream's state changes and its restarts, on the events timeline.
void ConsoleSession::record_upstream_changes() {
  connect(&upstreams_, &UpstreamMonitor::state_changed, this,
          [this](QString const& name, UpstreamState from, UpstreamState to, QString const& detail) {
            auto const severity = to == UpstreamState::kReady ? EventSeverity::kInfo
                                  : to == UpstreamState::kCrashLoop || to == UpstreamState::kDown
                                      ? EventSeverity::kCritical
                                      : EventSeverity::kWarning;
            auto kind = upstream_state_name(to);
            kind.replace(' ', '_');
            events_.add(severity, QStringLiteral("upstream"), QStringLiteral("upstream_") + kind,
                        tr("%1: %2 → %3 (%4)").arg(name, upstream_state_name(from), upstream_state_name(to), detail));
          });
  connect(&upstreams_, &UpstreamMonitor::restarted, this, [this](QString const& name, qint64 restarts, QString const& exit) {
    events_.add(EventSeverity::kWarning, QStringLiteral("upstream"), QStringLiteral("upstream_restart"),
                tr("%1 restarted by the gateway (restart %2)%3")
                    .arg(name)
                    .arg(restarts)
                    .arg(exit.isEmpty() ? QString() : tr(" after %1").arg(exit)));
  });
}

}  // namespace prodmcp::console
