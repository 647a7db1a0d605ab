#include "walkthrough/walkthrough.hpp"

#include <signal.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

#include "admin/admin_request.hpp"
#include "config_editor/config_comparison.hpp"
#include "config_editor/config_file.hpp"
#include "config_editor/config_document.hpp"
#include "console_session.hpp"
#include "mcp/tool_arguments.hpp"

namespace prodmcp::console {

namespace {

bool server_running(ConsoleSession& session) {
  auto* supervisor = session.supervisor();
  return supervisor && supervisor->server().state() == SupervisedProcess::State::kRunning;
}

}  // namespace

Walkthrough::Walkthrough(ConsoleSession& session, QObject* parent) : QObject(parent), session_(session) {
  steps_.resize(kStepCount);
  if (auto* supervisor = session_.supervisor()) base_config_file_ = supervisor->options().config_file;
  describe_steps();
  timer_.setInterval(1000);
  connect(&timer_, &QTimer::timeout, this, &Walkthrough::refresh);
  connect(&session_.upstreams(), &UpstreamMonitor::updated, this, &Walkthrough::refresh);
  timer_.start();
  refresh();
}

bool Walkthrough::about_your_server() const { return !session_.upstreams().upstreams().isEmpty(); }

void Walkthrough::describe_steps() {
  struct Text {
    QString title, explanation, action;
  };
  std::vector<Text> texts;
  if (about_your_server()) {
    texts = {
        {tr("1. Start your server as a prototype"),
         tr("Your server behind the gateway in the development profile: no authentication, fault switches "
            "allowed, every default relaxed. Its state, process and restarts are on the Upstreams page."),
         tr("Restart in development")},
        {tr("2. Give it traffic"),
         tr("30 calls per second for 30 s to your own tools (the ones not marked destructive), with arguments "
            "made from their input schemas. Watch its calls/s and latency on Upstreams, each call's two legs on "
            "Trace, the lines with their correlation ids on Logs."),
         tr("Start load")},
        {tr("3. Make it struggle"),
         tr("300 ms of added latency and 20% failing calls through the gateway's fault switches, and your server "
            "killed once (SIGKILL). The gateway fails the calls it took down with a clear error, restarts it, "
            "and its breaker guards it meanwhile; the alerts turn pending, then firing."),
         tr("Faults on, kill it once")},
        {tr("4. Let it recover"),
         tr("Faults off; your server is back and ready. The charts come down, the alerts resolve; the Events page "
            "keeps the story."),
         tr("Turn faults off")},
        {tr("5. Harden it for production"),
         tr("The console writes a production config from yours (your upstreams as they are, plus bearer-token "
            "auth with a fresh token for itself, JSON logs and rate limits) and restarts the gateway with the "
            "production profile. Unauthenticated calls now get 401; your server's code did not change."),
         tr("Switch to production")},
        {tr("6. Ship it"),
         tr("The checklist below judges each production pillar from the gateway in front of your server. "
            "\"Ship it…\" on the Upstreams page writes the bundle to deploy it: the production config, a "
            "Compose override, a Kubernetes ConfigMap and a Dockerfile with your server's runtime."),
         tr("Check again")},
    };
  } else {
    texts = {
        {tr("1. Start it as a prototype"),
         tr("The development profile: no authentication, fault switches allowed, every default relaxed. This is "
            "how a prototype MCP server usually runs."),
         tr("Restart in development")},
        {tr("2. Give it traffic"),
         tr("30 tool calls per second for 30 s from the console's load generator. Watch requests/s and latency "
            "rise on the Overview and Metrics pages, and the request lines with their correlation ids on Logs."),
         tr("Start load")},
        {tr("3. Make it struggle"),
         tr("300 ms of added latency and 20% failing tool calls, through the server's fault switches. The error "
            "ratio and p95 charts climb; the alert rules turn pending, then firing."),
         tr("Turn faults on")},
        {tr("4. Let it recover"),
         tr("Faults off. The charts come back down and the alerts resolve; the Events page keeps the story."),
         tr("Turn faults off")},
        {tr("5. Harden it for production"),
         tr("The console writes a production config (bearer-token auth with a fresh token for itself, JSON logs, "
            "rate limits) and restarts the server with the production profile, which refuses unsafe settings. "
            "Unauthenticated calls now get 401, and the fault switches are refused."),
         tr("Switch to production")},
        {tr("6. Ship it"),
         tr("The checklist below judges each production pillar from the running server. What a laptop cannot "
            "give (a non-root service user, resource limits) comes with the container image, the Kubernetes "
            "manifests or the systemd unit in installers/."),
         tr("Check again")},
    };
  }
  for (int step = 0; step < kStepCount; ++step) {
    steps_[step].title = texts[step].title;
    steps_[step].explanation = texts[step].explanation;
    steps_[step].action = texts[step].action;
  }
}

QString Walkthrough::production_config_path() const {
  return QDir(QDir::tempPath())
      .filePath(QStringLiteral("prodmcp-walkthrough-%1/production.toml").arg(QCoreApplication::applicationPid()));
}

std::optional<QString> Walkthrough::production_config(QString const& base_text, QString const& token_hash,
                                                      QString& error) {
  ConfigDocument document;
  document.set_text(QStringLiteral("# The console's walkthrough: the prototype's settings, hardened for production.\n") +
                    base_text);
  std::pair<char const*, QString> const settings[] = {
      {"auth.enabled", QStringLiteral("true")},
      {"auth.clients", QStringLiteral("console=") + token_hash},
      {"logging.format", QStringLiteral("json")},
      {"logging.level", QStringLiteral("info")},
      {"rate_limit.enabled", QStringLiteral("true")},
      {"rate_limit.requests_per_minute", QStringLiteral("6000")},
  };
  for (auto const& [key, value] : settings)
    if (auto const problem = document.set_value(QString::fromLatin1(key), value); !problem.isEmpty()) {
      error = QStringLiteral("%1: %2").arg(QString::fromLatin1(key), problem);
      return std::nullopt;
    }
  return document.text();
}

bool Walkthrough::write_production_config(QString* error) {
  token_ = QString::fromLatin1(random_token());
  QString base_text;
  if (!base_config_file_.isEmpty()) {
    QFile base(base_config_file_);
    if (!base.open(QIODevice::ReadOnly)) {
      *error = tr("cannot read %1: %2").arg(base_config_file_, base.errorString());
      return false;
    }
    base_text = QString::fromUtf8(base.readAll());
  }
  QString problem;
  auto const text = production_config(base_text, token_hash(token_.toUtf8()), problem);
  if (!text) {
    *error = problem;
    return false;
  }
  QDir().mkpath(QFileInfo(production_config_path()).absolutePath());
  return write_file_atomically(production_config_path(), text->toUtf8(), error);
}

void Walkthrough::start_traffic() {
  LoadPlan plan;
  plan.rate_per_second = 30;
  plan.duration_s = 30;
  plan.bearer_token = session_.options().bearer_token;
  if (!about_your_server()) {
    session_.load().start(session_.mcp_url(), plan);
    return;
  }
  // The user's tools as the gateway offers them, each with arguments from its schema; a tool that
  // says it destroys or changes things is not called thirty times a second.
  session_.mcp_client().list_all([this, plan](McpCatalog catalog) mutable {
    QStringList yours;
    for (auto const& upstream : session_.upstreams().upstreams()) yours += upstream.tools;
    for (auto const& value : catalog.tools) {
      auto const tool = value.toObject();
      auto const name = tool.value("name").toString();
      if (!yours.contains(name) || tool.value("annotations").toObject().value("destructiveHint").toBool(false)) continue;
      plan.calls.push_back({name, example_arguments(tool.value("inputSchema").toObject())});
    }
    if (plan.calls.empty()) {
      traffic_problem_ = tr("nothing sent: none of your tools can be called many times safely (all are marked "
                            "destructive, or the gateway lists none%1)")
                             .arg(catalog.problem.isEmpty() ? QString() : ": " + catalog.problem);
      return refresh();
    }
    traffic_problem_.clear();
    session_.load().start(session_.mcp_url(), plan);
  });
}

qint64 Walkthrough::upstream_restarts() const {
  qint64 restarts = 0;
  for (auto const& upstream : session_.upstreams().upstreams()) restarts += upstream.restarts;
  return restarts;
}

// A crash the gateway must survive: the first upstream it runs a process for, killed outright.
void Walkthrough::kill_one_upstream() {
  for (auto const& upstream : session_.upstreams().upstreams()) {
    if (upstream.pid <= 0) continue;
    restarts_before_kill_ = upstream_restarts();
    ::kill(pid_t(upstream.pid), SIGKILL);
    killed_ = true;
    session_.events().add(EventSeverity::kWarning, QStringLiteral("walkthrough"), QStringLiteral("upstream_killed"),
                          tr("%1: %2 (pid %3) killed with SIGKILL").arg(steps_[kStruggle].title, upstream.name).arg(upstream.pid));
    return;
  }
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
      // The prototype's own config (with its upstreams), not the production one this walkthrough wrote.
      if (options.config_file != production_config_path()) base_config_file_ = options.config_file;
      options.config_file = base_config_file_;
      options.profile = QStringLiteral("development");
      session_.set_launch_options(options);
      session_.set_bearer_token({});
      struggled_ = false;
      killed_ = false;
      supervisor->restart();
      record(tr("restarting with the development profile and built-in defaults"));
      break;
    }
    case kTraffic:
      start_traffic();
      record(about_your_server() ? tr("30 calls/s for 30 s to your tools") : tr("30 calls/s for 30 s"));
      break;
    case kStruggle:
      session_.faults().set_faults(300, 0.2);
      struggled_ = true;
      if (about_your_server()) kill_one_upstream();
      record(killed_ ? tr("+300 ms, 20% failures and your server killed once") : tr("+300 ms and 20% failures"));
      break;
    case kRecover:
      session_.faults().set_faults(0, 0);
      record(tr("faults off"));
      break;
    case kProduction: {
      auto options = supervisor->options();
      if (options.config_file != production_config_path()) base_config_file_ = options.config_file;
      QString error;
      if (!write_production_config(&error)) {
        steps_[step].status = tr("could not write the config: %1").arg(error);
        emit changed();
        return;
      }
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
  describe_steps();  // a server of the user's may have been added or removed meanwhile
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
      session_.load().running()     ? tr("sending: %1 answered so far").arg(load.ok + load.tool_errors)
      : !traffic_problem_.isEmpty() ? traffic_problem_
                                    : tr("%1 calls answered").arg(load.ok + load.tool_errors));
  auto const& faults = session_.faults().state();
  bool const faulty = faults.latency_ms > 0 || faults.error_rate > 0;
  bool const restarted = !killed_ || upstream_restarts() > restarts_before_kill_;
  set(kStruggle, struggled_ && faults.known && restarted,
      !faults.allowed && faults.known ? tr("fault switches refused (production profile)")
      : faulty ? tr("+%1 ms, %2% failing").arg(faults.latency_ms).arg(faults.error_rate * 100)
               : tr("no faults"));
  QStringList not_ready;
  for (auto const& upstream : session_.upstreams().upstreams())
    if (upstream.display_state() != UpstreamState::kReady) not_ready << upstream.name;
  set(kRecover, struggled_ && faults.known && !faulty && not_ready.isEmpty(),
      faulty                  ? tr("faults still on")
      : !not_ready.isEmpty() ? tr("no faults; not ready yet: %1").arg(not_ready.join(", "))
                             : tr("no faults"));
  bool const auth = config_value(running, "auth.enabled").toBool();
  QString production_status = profile == QLatin1String("production")
                                  ? (auth ? tr("production profile, bearer tokens required")
                                          : tr("production profile, but auth is off"))
                                  : tr("not in production yet");
  if (!not_ready.isEmpty()) production_status += tr("; not ready yet: %1").arg(not_ready.join(", "));
  set(kProduction, up && profile == QLatin1String("production") && auth && not_ready.isEmpty(), production_status);
  if (killed_ && steps_[kStruggle].done) steps_[kStruggle].status += tr("; the gateway restarted your server");
  auto const score = session_.readiness().score();
  set(kShip, score == 100, tr("readiness score %1%").arg(score));
  emit changed();
}

}  // namespace prodmcp::console
