#pragma once
// One supervised child process: start, stop (SIGTERM, then SIGKILL after a timeout), restart after
// an unrequested exit as the restart policy says, with its output delivered as lines. The owner
// decides when the child is ready (e.g. the server's ports file appeared) and calls mark_ready().
#include <QDateTime>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>
#include <QTimer>
#include <deque>
#include <memory>

#include "net/line_splitter.hpp"
#include "supervision/restart_policy.hpp"

namespace prodmcp::console {

class SupervisedProcess : public QObject {
  Q_OBJECT
 public:
  // kBackoff: waiting to restart after an exit; kFailed: gave up (crash loop, policy, cannot start).
  enum class State { kStopped, kStarting, kRunning, kStopping, kBackoff, kFailed };
  Q_ENUM(State)

  explicit SupervisedProcess(QString name, QObject* parent = nullptr);
  ~SupervisedProcess() override;

  void set_program(QString program) { program_ = std::move(program); }
  QString const& program() const { return program_; }
  void set_arguments(QStringList arguments) { arguments_ = std::move(arguments); }
  void set_environment(QProcessEnvironment environment) { environment_ = std::move(environment); }
  void set_restart_options(RestartOptions options) { policy_.set_options(options); }
  RestartOptions const& restart_options() const { return policy_.options(); }
  void set_stop_timeout_ms(int milliseconds) { stop_timeout_ms_ = milliseconds; }

  QString const& name() const { return name_; }
  State state() const { return state_; }
  qint64 pid() const;
  // Milliseconds since the current run started; 0 when not running.
  qint64 uptime_ms() const;
  int restarts() const { return policy_.restarts(); }
  QString const& last_exit_reason() const { return last_exit_reason_; }
  // The last lines the child wrote (stdout and stderr merged), oldest first.
  QStringList recent_output() const;

  static QString state_name(State state);

 public slots:
  // By hand: forgets earlier crashes, so a crash loop can be retried.
  void start();
  void stop();
  // Stops if running, then starts again.
  void restart();
  void mark_ready();
  // Sends SIGHUP (the server re-reads its config file); false when the child is not running.
  bool hang_up();

 signals:
  void state_changed(prodmcp::console::SupervisedProcess::State state);
  // Emitted just before each launch (first start and every restart), so the owner can prepare
  // files or arguments for it.
  void about_to_launch();
  void output_lines(QList<QByteArray> const& lines);
  // Something worth a line in the events timeline: started, exited, restarting, crash loop.
  void event(QString const& kind, QString const& message);

 private:
  void launch();
  void set_state(State state);
  void read_output();
  void on_finished(int exit_code, QProcess::ExitStatus status);
  void on_error(QProcess::ProcessError error);
  QString server_error_hint() const;

  QString const name_;
  QString program_;
  QStringList arguments_;
  QProcessEnvironment environment_ = QProcessEnvironment::systemEnvironment();
  RestartPolicy policy_;
  // Longer than the server's default drain grace (server.shutdown_grace_s = 30), so a draining
  // server is not killed with requests in flight.
  int stop_timeout_ms_ = 35'000;
  std::unique_ptr<QProcess> process_;
  QTimer kill_timer_;
  QTimer restart_timer_;
  QElapsedTimer run_clock_;
  RestartPolicy::TimePoint run_started_{};
  LineSplitter output_lines_;
  std::deque<QString> recent_output_;
  State state_ = State::kStopped;
  bool restart_after_stop_ = false;
  QString last_exit_reason_;
};

}  // namespace prodmcp::console
