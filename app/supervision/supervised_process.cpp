#include "supervision/supervised_process.hpp"

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <csignal>

#include "supervision/exit_description.hpp"

namespace prodmcp::console {
namespace {
constexpr std::size_t kRecentOutputLines = 40;
}

SupervisedProcess::SupervisedProcess(QString name, QObject* parent) : QObject(parent), name_(std::move(name)) {
  kill_timer_.setSingleShot(true);
  connect(&kill_timer_, &QTimer::timeout, this, [this] {
    if (!process_) return;
    emit event("kill", tr("%1 did not stop within %2 ms; sending SIGKILL").arg(name_).arg(stop_timeout_ms_));
    process_->kill();
  });
  restart_timer_.setSingleShot(true);
  connect(&restart_timer_, &QTimer::timeout, this, &SupervisedProcess::launch);
}

SupervisedProcess::~SupervisedProcess() {
  if (!process_ || process_->state() == QProcess::NotRunning) return;
  process_->disconnect(this);
  process_->terminate();
  if (!process_->waitForFinished(stop_timeout_ms_)) {
    process_->kill();
    process_->waitForFinished(2000);
  }
}

QString SupervisedProcess::state_name(State state) {
  switch (state) {
    case State::kStopped: return tr("stopped");
    case State::kStarting: return tr("starting");
    case State::kRunning: return tr("running");
    case State::kStopping: return tr("stopping");
    case State::kBackoff: return tr("restarting");
    case State::kFailed: return tr("failed");
  }
  return {};
}

qint64 SupervisedProcess::pid() const {
  return process_ && process_->state() != QProcess::NotRunning ? process_->processId() : 0;
}

bool SupervisedProcess::hang_up() {
  auto const id = pid();
  if (id <= 0 || state_ != State::kRunning) return false;
  return ::kill(static_cast<pid_t>(id), SIGHUP) == 0;
}

qint64 SupervisedProcess::uptime_ms() const {
  return (state_ == State::kRunning || state_ == State::kStarting) && run_clock_.isValid() ? run_clock_.elapsed()
                                                                                            : 0;
}

QStringList SupervisedProcess::recent_output() const { return {recent_output_.begin(), recent_output_.end()}; }

void SupervisedProcess::set_state(State state) {
  if (state_ == state) return;
  state_ = state;
  emit state_changed(state);
}

void SupervisedProcess::start() {
  if (state_ == State::kStarting || state_ == State::kRunning || state_ == State::kStopping) return;
  restart_timer_.stop();
  policy_.reset();
  launch();
}

void SupervisedProcess::stop() {
  restart_after_stop_ = false;
  if (state_ == State::kBackoff) {
    restart_timer_.stop();
    set_state(State::kStopped);
    emit event("stop", tr("%1: pending restart cancelled").arg(name_));
    return;
  }
  if (!process_ || process_->state() == QProcess::NotRunning) return;
  set_state(State::kStopping);
  emit event("stop", tr("stopping %1 (SIGTERM)").arg(name_));
  process_->terminate();
  kill_timer_.start(stop_timeout_ms_);
}

void SupervisedProcess::restart() {
  if (process_ && process_->state() != QProcess::NotRunning) {
    stop();
    restart_after_stop_ = true;
    return;
  }
  start();
}

void SupervisedProcess::mark_ready() {
  if (state_ != State::kStarting) return;
  set_state(State::kRunning);
  emit event("ready", tr("%1 is up (pid %2)").arg(name_).arg(pid()));
}

void SupervisedProcess::launch() {
  emit about_to_launch();
  // The old QProcess may still be delivering its finished signal: let the event loop delete it.
  if (process_) process_.release()->deleteLater();
  process_ = std::make_unique<QProcess>();
  process_->setProgram(program_);
  process_->setArguments(arguments_);
  process_->setProcessEnvironment(environment_);
  process_->setProcessChannelMode(QProcess::MergedChannels);
  connect(process_.get(), &QProcess::readyRead, this, &SupervisedProcess::read_output);
  connect(process_.get(), &QProcess::finished, this, &SupervisedProcess::on_finished);
  connect(process_.get(), &QProcess::errorOccurred, this, &SupervisedProcess::on_error);
  output_lines_.clear();
  recent_output_.clear();
  set_state(State::kStarting);
  run_clock_.start();
  run_started_ = std::chrono::steady_clock::now();
  emit event("start", tr("starting %1 %2").arg(QFileInfo(program_).fileName(), arguments_.join(' ')));
  process_->start();
}

void SupervisedProcess::read_output() {
  auto const lines = output_lines_.feed(process_->readAll());
  if (lines.isEmpty()) return;
  for (qsizetype i = std::max<qsizetype>(0, lines.size() - qsizetype(kRecentOutputLines)); i < lines.size(); ++i) {
    recent_output_.push_back(QString::fromUtf8(lines[i]));
    if (recent_output_.size() > kRecentOutputLines) recent_output_.pop_front();
  }
  emit output_lines(lines);
}

// The reason a process gave for exiting, in its own words: the first error line of this run (the
// cause; later lines tend to be consequences) as event + problem, else the last line it wrote.
QString SupervisedProcess::server_error_hint() const {
  for (auto const& line : recent_output_) {
    auto const object = QJsonDocument::fromJson(line.toUtf8()).object();
    auto const level = object.value("level").toString();
    if (level != "error" && level != "critical") continue;
    QString hint = object.value("event").toString();
    // "FILE:2:11: error: server.workers must be ..." reads best as its message (the place is in
    // the tooltip's lines).
    static QRegularExpression const located(QStringLiteral("^.*:\\d+:\\d+: (?:error|warning): (.*)$"));
    for (auto const* key : {"problem", "reason", "error", "message"}) {
      if (auto const value = object.value(key); value.isString()) {
        auto const match = located.match(value.toString());
        return hint + ": " + (match.hasMatch() ? match.captured(1) : value.toString());
      }
    }
    return hint;
  }
  // Else its last words only when they are not one of its own log lines (a request logged just
  // before a SIGKILL is no reason): an abort's message, a sanitizer's report.
  for (auto line = recent_output_.rbegin(); line != recent_output_.rend(); ++line) {
    auto const text = line->trimmed();
    if (text.isEmpty()) continue;
    return QJsonDocument::fromJson(text.toUtf8()).isObject() ? QString() : text;
  }
  return {};
}

void SupervisedProcess::on_finished(int exit_code, QProcess::ExitStatus status) {
  read_output();
  if (auto const rest = output_lines_.take_rest(); !rest.isEmpty()) {
    recent_output_.push_back(QString::fromUtf8(rest));
    emit output_lines({rest});
  }
  kill_timer_.stop();
  bool const requested = state_ == State::kStopping;
  bool const failed = status == QProcess::CrashExit || exit_code != 0;
  last_exit_reason_ = exit_description(exit_code, status);
  if (failed && !requested) {
    if (auto const hint = server_error_hint(); !hint.isEmpty()) last_exit_reason_ += " (" + hint + ")";
  }
  emit event("exit", tr("%1 %2").arg(name_, last_exit_reason_));
  if (requested) {
    set_state(State::kStopped);
    if (restart_after_stop_) {
      restart_after_stop_ = false;
      start();
    }
    return;
  }
  auto const decision = policy_.on_exit(failed, run_started_, std::chrono::steady_clock::now());
  if (decision.restart) {
    emit event("restart", tr("%1: %2").arg(name_, QString::fromStdString(decision.reason)));
    set_state(State::kBackoff);
    restart_timer_.start(int(decision.delay.count()));
    return;
  }
  if (decision.crash_loop) {
    last_exit_reason_ += "; " + QString::fromStdString(decision.reason);
    emit event("crash_loop", tr("%1: %2").arg(name_, last_exit_reason_));
  }
  set_state(failed ? State::kFailed : State::kStopped);
}

void SupervisedProcess::on_error(QProcess::ProcessError error) {
  if (error != QProcess::FailedToStart) return;
  last_exit_reason_ = tr("could not start %1: %2").arg(program_, process_->errorString());
  emit event("exit", last_exit_reason_);
  set_state(State::kFailed);
}

}  // namespace prodmcp::console
