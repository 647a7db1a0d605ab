#include "server_process.hpp"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QStandardPaths>

ServerProcess::ServerProcess(QObject* parent) : QObject(parent), binary_(defaultBinary()) {
  ports_poll_.setInterval(50);
  connect(&ports_poll_, &QTimer::timeout, this, &ServerProcess::checkPortsFile);
  kill_timer_.setSingleShot(true);
  connect(&kill_timer_, &QTimer::timeout, this, [this] {
    if (process_) process_->kill();
  });
}

ServerProcess::~ServerProcess() {
  if (process_ && process_->state() != QProcess::NotRunning) {
    process_->disconnect(this);
    process_->terminate();
    if (!process_->waitForFinished(stop_timeout_ms_)) process_->kill();
    process_->waitForFinished(1000);
  }
}

QString ServerProcess::defaultBinary() {
  QString const beside = QDir(QCoreApplication::applicationDirPath()).filePath("prodmcp-server");
  if (QFileInfo(beside).isExecutable()) return beside;
  QString const on_path = QStandardPaths::findExecutable("prodmcp-server");
  return on_path.isEmpty() ? beside : on_path;
}

QString ServerProcess::stateName(State state) {
  switch (state) {
    case State::Stopped: return tr("stopped");
    case State::Starting: return tr("starting");
    case State::Running: return tr("running");
    case State::Stopping: return tr("stopping");
    case State::Crashed: return tr("crashed");
  }
  return {};
}

qint64 ServerProcess::pid() const { return process_ ? process_->processId() : 0; }

void ServerProcess::setState(State state) {
  if (state_ == state) return;
  state_ = state;
  emit stateChanged(state);
}

void ServerProcess::start() {
  if (state_ == State::Starting || state_ == State::Running || state_ == State::Stopping) return;
  work_dir_ = std::make_unique<QTemporaryDir>();
  process_ = std::make_unique<QProcess>();
  process_->setProgram(binary_);
  // Free ports for both endpoints, so a second console or another server never collides.
  QStringList arguments{"--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--ports-file",
                        work_dir_->filePath("ports.json")};
  arguments += arguments_;
  process_->setArguments(arguments);
  // The embedded default needs no Redis: unless the operator chose one, use the in-memory cache.
  auto environment = QProcessEnvironment::systemEnvironment();
  if (!environment.contains("REDIS_URL")) environment.insert("REDIS_URL", "");
  process_->setProcessEnvironment(environment);
  process_->setProcessChannelMode(QProcess::MergedChannels);  // the server logs to stderr
  connect(process_.get(), &QProcess::readyRead, this, &ServerProcess::readLogs);
  connect(process_.get(), &QProcess::finished, this, &ServerProcess::onFinished);
  connect(process_.get(), &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
    if (error != QProcess::FailedToStart) return;
    last_exit_reason_ = tr("could not start %1: %2").arg(binary_, process_->errorString());
    emit logLine(last_exit_reason_);
    ports_poll_.stop();
    setState(State::Crashed);
  });
  mcp_url_.clear();
  partial_line_.clear();
  setState(State::Starting);
  process_->start();
  started_at_ = QDateTime::currentDateTimeUtc();
  ports_poll_.start();
}

void ServerProcess::stop() {
  if (!process_ || process_->state() == QProcess::NotRunning) return;
  setState(State::Stopping);
  process_->terminate();
  kill_timer_.start(stop_timeout_ms_);
}

void ServerProcess::readLogs() {
  partial_line_ += process_->readAll();
  qsizetype newline;
  while ((newline = partial_line_.indexOf('\n')) >= 0) {
    emit logLine(QString::fromUtf8(partial_line_.first(newline)));
    partial_line_.remove(0, newline + 1);
  }
}

void ServerProcess::checkPortsFile() {
  QFile file(work_dir_->filePath("ports.json"));
  if (!file.open(QIODevice::ReadOnly)) return;
  auto const ports = QJsonDocument::fromJson(file.readAll()).object();
  int const port = ports.value("mcp").toInt();
  if (port <= 0) return;
  ports_poll_.stop();
  mcp_url_ = QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(port));
  emit mcpUrlChanged(mcp_url_);
  setState(State::Running);
}

void ServerProcess::onFinished(int exit_code, QProcess::ExitStatus status) {
  readLogs();
  ports_poll_.stop();
  kill_timer_.stop();
  bool const requested = state_ == State::Stopping;
  if (status == QProcess::CrashExit)
    last_exit_reason_ = requested ? tr("stopped (killed by signal)") : tr("crashed (killed by a signal)");
  else
    last_exit_reason_ = tr("exited with code %1").arg(exit_code);
  setState(requested || (status == QProcess::NormalExit && exit_code == 0) ? State::Stopped : State::Crashed);
}
