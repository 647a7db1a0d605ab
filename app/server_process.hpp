#pragma once
// Starts, watches and stops one local prodmcp-server: its state, pid, MCP URL and log lines.
#include <QDateTime>
#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QTimer>
#include <QUrl>
#include <memory>

class ServerProcess : public QObject {
  Q_OBJECT
 public:
  enum class State { Stopped, Starting, Running, Stopping, Crashed };
  Q_ENUM(State)

  explicit ServerProcess(QObject* parent = nullptr);
  ~ServerProcess() override;

  void setBinary(QString path) { binary_ = std::move(path); }
  QString binary() const { return binary_; }
  // Extra arguments after the ones the supervisor sets (--listen, --ports-file).
  void setArguments(QStringList arguments) { arguments_ = std::move(arguments); }
  void setStopTimeout(int milliseconds) { stop_timeout_ms_ = milliseconds; }

  State state() const { return state_; }
  qint64 pid() const;
  QUrl mcpUrl() const { return mcp_url_; }
  QDateTime startedAt() const { return started_at_; }
  QString lastExitReason() const { return last_exit_reason_; }

  // The server binary next to this executable, else the one on PATH.
  static QString defaultBinary();
  static QString stateName(State state);

 public slots:
  void start();
  // SIGTERM, then SIGKILL after the stop timeout.
  void stop();

 signals:
  void stateChanged(ServerProcess::State state);
  void logLine(QString const& line);
  void mcpUrlChanged(QUrl const& url);

 private:
  void setState(State state);
  void readLogs();
  void checkPortsFile();
  void onFinished(int exit_code, QProcess::ExitStatus status);

  QString binary_;
  QStringList arguments_;
  int stop_timeout_ms_ = 5000;
  std::unique_ptr<QProcess> process_;
  std::unique_ptr<QTemporaryDir> work_dir_;
  QTimer ports_poll_;
  QTimer kill_timer_;
  QByteArray partial_line_;
  State state_ = State::Stopped;
  QUrl mcp_url_;
  QDateTime started_at_;
  QString last_exit_reason_;
};
