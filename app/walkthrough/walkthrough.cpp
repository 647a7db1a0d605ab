#include "walkthrough/walkthrough.hpp"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

#include "admin/admin_request.hpp"
#include "config_editor/config_comparison.hpp"
#include "config_editor/config_file.hpp"
#include "console_session.hpp"

namespace prodmcp::console {

namespace {

bool server_running(ConsoleSession& session) {
  auto* supervisor = session.supervisor();
  return supervisor && supervisor->server().state() == SupervisedProcess::State::kRunning;
}

}  // namespace

Walkthrough::Walkthrough(ConsoleSession& session, QObject* parent) : QObject(parent), session_(session) {
  steps_ = {
      {tr("1. Start it as a prototype"),
       tr("The development profile: no authentication, fault switches allowed, every default relaxed. This is how "
          "a prototype MCP server usually runs."),
       tr("Restart in development"), false, {}},
      {tr("2. Give it traffic"),
       tr("30 tool calls per second for 30 s from the console's load generator. Watch requests/s and latency rise "
          "on the Overview and Metrics pages, and the request lines with their correlation ids on Logs."),
       tr("Start load"), false, {}},
      {tr("3. Make it struggle"),
       tr("300 ms of added latency and 20% failing tool calls, through the server's fault switches. The error "
          "ratio and p95 charts climb; the alert rules turn pending, then firing."),
       tr("Turn faults on"), false, {}},
      {tr("4. Let it recover"),
       tr("Faults off. The charts come back down and the alerts resolve; the Events page keeps the story."),
       tr("Turn faults off"), false, {}},
      {tr("5. Harden it for production"),
       tr("The console writes a production config (bearer-token auth with a fresh token for itself, JSON logs, "
          "rate limits) and restarts the server with the production profile, which refuses unsafe settings. "
          "Unauthenticated calls now get 401, and the fault switches are refused."),
       tr("Switch to production"), false, {}},
      {tr("6. Ship it"),
       tr("The checklist below judges each production pillar from the running server. What a laptop cannot "
          "give (a non-root service user, resource limits) comes with the container image, the Kubernetes "
          "manifests or the systemd unit in installers/."),
       tr("Check again"), false, {}},
  };
  timer_.setInterval(1000);
  connect(&timer_, &QTimer::timeout, this, &Walkthrough::refresh);
  timer_.start();
  refresh();
}

QString Walkthrough::production_config_path() const {
  return QDir(QDir::tempPath())
      .filePath(QStringLiteral("prodmcp-walkthrough-%1/production.toml").arg(QCoreApplication::applicationPid()));
}

bool Walkthrough::write_production_config(QString* error) {
  token_ = QString::fromLatin1(random_token());
  QString const text = QStringLiteral(
                           "# Written by the console's walkthrough: production settings.\n"
                           "[auth]\n"
                           "enabled = true\n"
                           "clients = { console = \"%1\" }\n"
                           "\n"
                           "[logging]\n"
                           "format = \"json\"\n"
                           "level = \"info\"\n"
                           "\n"
                           "[rate_limit]\n"
                           "enabled = true\n"
                           "requests_per_minute = 6000\n")
                           .arg(token_hash(token_.toUtf8()));
  QDir().mkpath(QFileInfo(production_config_path()).absolutePath());
  return write_file_atomically(production_config_path(), text.toUtf8(), error);
}

void Walkthrough::run(int step) {
  auto* supervisor = session_.supervisor();
  if (!supervisor || step < 0 || step >= kStepCount) return;
  auto record = [this, step](QString const& message) {
    session_.events().add(EventSeverity::kInfo, QStringLiteral("walkthrough"), QStringLiteral("walkthrough_step"),
                          steps_[step].title + QStringLiteral(": ") + message);
  };
  switch (step) {
    case kDevelopment: {
      auto options = supervisor->options();
      options.config_file.clear();
      options.profile = QStringLiteral("development");
      session_.set_launch_options(options);
      session_.set_bearer_token({});
      struggled_ = false;
      supervisor->restart();
      record(tr("restarting with the development profile and built-in defaults"));
      break;
    }
    case kTraffic: {
      LoadPlan plan;
      plan.rate_per_second = 30;
      plan.duration_s = 30;
      plan.bearer_token = session_.options().bearer_token;
      session_.load().start(session_.mcp_url(), plan);
      record(tr("30 calls/s for 30 s"));
      break;
    }
    case kStruggle:
      session_.faults().set_faults(300, 0.2);
      struggled_ = true;
      record(tr("+300 ms and 20% failures"));
      break;
    case kRecover:
      session_.faults().set_faults(0, 0);
      record(tr("faults off"));
      break;
    case kProduction: {
      QString error;
      if (!write_production_config(&error)) {
        steps_[step].status = tr("could not write the config: %1").arg(error);
        emit changed();
        return;
      }
      auto options = supervisor->options();
      options.config_file = production_config_path();
      options.profile = QStringLiteral("production");
      session_.set_launch_options(options);
      session_.set_bearer_token(token_);
      supervisor->restart();
      record(tr("restarting with %1 and the production profile").arg(production_config_path()));
      break;
    }
    case kShip:
      session_.readiness().refresh();
      break;
  }
  refresh();
}

void Walkthrough::refresh() {
  auto const& running = session_.config_editor().running();
  auto const profile = running.value("profile").toString();
  bool const up = server_running(session_);
  auto set = [this](int step, bool done, QString status) {
    steps_[step].done = done;
    steps_[step].status = std::move(status);
  };
  set(kDevelopment, up && profile == QLatin1String("development"),
      !up ? tr("the server is not running") : tr("running with the %1 profile").arg(profile.isEmpty() ? tr("(unknown)") : profile));
  auto const& load = session_.load().stats();
  set(kTraffic, load.ok + load.tool_errors > 0,
      session_.load().running() ? tr("sending: %1 answered so far").arg(load.ok + load.tool_errors)
                                : tr("%1 calls answered").arg(load.ok + load.tool_errors));
  auto const& faults = session_.faults().state();
  bool const faulty = faults.latency_ms > 0 || faults.error_rate > 0;
  set(kStruggle, struggled_ && faults.known,
      !faults.allowed && faults.known ? tr("fault switches refused (production profile)")
      : faulty ? tr("+%1 ms, %2% failing").arg(faults.latency_ms).arg(faults.error_rate * 100)
               : tr("no faults"));
  set(kRecover, struggled_ && faults.known && !faulty, faulty ? tr("faults still on") : tr("no faults"));
  bool const auth = config_value(running, "auth.enabled").toBool();
  set(kProduction, up && profile == QLatin1String("production") && auth,
      profile == QLatin1String("production") ? (auth ? tr("production profile, bearer tokens required")
                                                     : tr("production profile, but auth is off"))
                                             : tr("not in production yet"));
  auto const score = session_.readiness().score();
  set(kShip, score == 100, tr("readiness score %1%").arg(score));
  emit changed();
}

}  // namespace prodmcp::console
