#include "config_editor/config_applier.hpp"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "config_editor/config_file.hpp"
#include "console_session.hpp"

namespace prodmcp::console {

namespace {

constexpr int kReloadAnswerMs = 5000;
constexpr int kRestartMs = 30'000;

QString joined(QJsonValue const& list) {
  QStringList items;
  for (auto const& item : list.toArray()) items << item.toString();
  return items.join(QStringLiteral("; "));
}

}  // namespace

ConfigApplier::ConfigApplier(ConsoleSession& session, QObject* parent) : QObject(parent), session_(session) {
  deadline_.setSingleShot(true);
  connect(&deadline_, &QTimer::timeout, this, [this] {
    switch (phase_) {
      case Phase::kReloading: roll_back(tr("the server did not answer the reload within %1 s").arg(kReloadAnswerMs / 1000)); break;
      case Phase::kRestarting: roll_back(tr("the server did not come back within %1 s").arg(kRestartMs / 1000)); break;
      case Phase::kGate:
        if (saw_ready_) finish(true, tr("in effect, and the server was ready and stayed so within %1 s").arg(gate_ms_ / 1000.0));
        else if (not_ready_.isEmpty()) roll_back(tr("the server was not ready within %1 s").arg(gate_ms_ / 1000.0));
        else roll_back(tr("%1 for %2 s").arg(not_ready_).arg(gate_ms_ / 1000.0));
        break;
      case Phase::kRollingBack:
        finish(false, tr("%1; the previous config was restored, but the server did not confirm it").arg(failure_));
        break;
      case Phase::kIdle: break;
    }
  });
  connect(&session_, &ConsoleSession::log_lines, this, &ConfigApplier::on_log_lines);
  connect(&session_.health(), &HealthPoller::updated, this, &ConfigApplier::on_health);
  if (auto* supervisor = session_.supervisor())
    connect(&supervisor->server(), &SupervisedProcess::state_changed, this, &ConfigApplier::on_server_state);
}

void ConfigApplier::apply(ApplyRequest request) {
  auto* supervisor = session_.supervisor();
  if (busy()) return;
  if (!supervisor) {
    emit finished(false, tr("an attached server is not controlled by the console: apply the file where it runs"));
    return;
  }
  request_ = std::move(request);
  rolling_back_ = false;
  failure_.clear();
  previous_launch_ = supervisor->options();
  launch_changed_ = previous_launch_.config_file != request_.path || previous_launch_.profile != request_.profile;
  if (launch_changed_) {
    auto next = previous_launch_;
    next.config_file = request_.path;
    next.profile = request_.profile;
    session_.set_launch_options(next);
  }
  bool const running = supervisor->server().state() == SupervisedProcess::State::kRunning;
  reload_or_restart(launch_changed_ || request_.needs_restart || !running);
}

void ConfigApplier::reload_or_restart(bool restart) {
  auto& server = session_.supervisor()->server();
  restarting_ = restart || !server.hang_up();
  saw_ready_ = false;
  not_ready_.clear();
  auto const phase = rolling_back_ ? Phase::kRollingBack : restarting_ ? Phase::kRestarting : Phase::kReloading;
  set_phase(phase, restarting_ ? tr("restarting the server") : tr("reloading (SIGHUP)"));
  if (restarting_) server.restart();
  deadline_.start(restarting_ ? kRestartMs : kReloadAnswerMs);
}

void ConfigApplier::on_log_lines(QList<QByteArray> const& lines) {
  if (restarting_ || (phase_ != Phase::kReloading && phase_ != Phase::kRollingBack)) return;
  for (auto const& line : lines) {
    bool const reloaded = line.contains(R"("event":"config_reloaded")");
    if (!reloaded && !line.contains(R"("event":"config_reload_failed")")) continue;
    if (phase_ == Phase::kRollingBack) {
      finish(false, failure_ + tr("; the previous config is back in effect"));
      return;
    }
    auto const fields = QJsonDocument::fromJson(line).object();
    if (reloaded) {
      // Keys a reload cannot apply (the comparison may not have known them): finish with a restart.
      if (auto const waiting = joined(fields.value("restart_required")); !waiting.isEmpty()) {
        set_phase(phase_, tr("%1 need a restart").arg(waiting));
        reload_or_restart(true);
        return;
      }
      enter_gate();
    } else {
      roll_back(tr("the server refused it: %1").arg(joined(fields.value("errors"))));
    }
    return;
  }
}

void ConfigApplier::on_server_state(SupervisedProcess::State state) {
  if (phase_ == Phase::kIdle) return;
  bool const gave_up = state == SupervisedProcess::State::kFailed || state == SupervisedProcess::State::kBackoff;
  if (gave_up && !rolling_back_) {
    auto const reason = session_.supervisor()->server().last_exit_reason();
    roll_back(tr("the server exited: %1").arg(reason));
    return;
  }
  if (state != SupervisedProcess::State::kRunning || !restarting_) return;
  if (rolling_back_) finish(false, failure_ + tr("; the previous config is back in effect"));
  else enter_gate();
}

void ConfigApplier::enter_gate() {
  gate_started_ms_ = QDateTime::currentMSecsSinceEpoch();
  set_phase(Phase::kGate, tr("checking readiness for %1 s").arg(gate_ms_ / 1000.0));
  deadline_.start(gate_ms_);
  session_.health().poll_now();
}

void ConfigApplier::on_health() {
  if (phase_ != Phase::kGate) return;
  auto const& health = session_.health();
  // Answers to a poll sent before the change say nothing about it; nor does a server not yet
  // answering, or the old process draining.
  if (health.latest_poll_started_ms() < gate_started_ms_ || !health.live() || health.shutting_down()) return;
  if (health.ready()) {
    saw_ready_ = true;
    return;
  }
  QStringList failing;
  for (auto const& check : health.checks()) {
    auto const* sample = check.latest();
    if (!sample || sample->state != CheckState::kUnhealthy || check.name == HealthPoller::kReadiness) continue;
    failing << QStringLiteral("%1: %2").arg(check.name, sample->detail);
  }
  not_ready_ = tr("not ready after the change (%1)").arg(failing.isEmpty() ? tr("/ready answered 503") : failing.join("; "));
  // Ready, then not: the change does not hold. Not yet ready may still come (upstream servers
  // start after the server does): the gate's deadline decides.
  if (saw_ready_) roll_back(not_ready_);
}

void ConfigApplier::roll_back(QString const& reason) {
  failure_ = reason;
  rolling_back_ = true;
  deadline_.stop();
  session_.events().add(EventSeverity::kCritical, QStringLiteral("console"), QStringLiteral("config_rolled_back"),
                        tr("config %1 rolled back: %2").arg(request_.path, reason));
  QString error;
  if (request_.previous_text) {
    if (!write_file_atomically(request_.path, request_.previous_text->toUtf8(), &error)) {
      finish(false, tr("%1; restoring the previous file failed too: %2").arg(reason, error));
      return;
    }
  }
  if (launch_changed_) session_.set_launch_options(previous_launch_);
  bool const running = session_.supervisor()->server().state() == SupervisedProcess::State::kRunning;
  reload_or_restart(launch_changed_ || request_.needs_restart || !running);
}

void ConfigApplier::finish(bool accepted, QString const& summary) {
  deadline_.stop();
  set_phase(Phase::kIdle, summary);
  if (accepted)
    session_.events().add(EventSeverity::kInfo, QStringLiteral("console"), QStringLiteral("config_applied"),
                          tr("config %1 applied: %2").arg(request_.path, summary));
  emit finished(accepted, summary);
}

void ConfigApplier::set_phase(Phase phase, QString const& detail) {
  phase_ = phase;
  emit phase_changed(phase, detail);
}

}  // namespace prodmcp::console
