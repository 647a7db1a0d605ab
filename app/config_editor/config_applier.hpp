#pragma once
// Puts a saved config into effect on the supervised server and checks that it took: a SIGHUP
// reload when every changed key is reloadable (and the server is already running that file),
// otherwise a restart. Health-gated: if the server refuses the file, fails to come back, or turns
// not ready within the gate time, the previous file is restored and put back into effect, and
// the events timeline says why.
#include <QObject>
#include <QTimer>

#include "supervision/server_supervisor.hpp"

namespace prodmcp::console {

class ConsoleSession;

struct ApplyRequest {
  QString path;     // the saved file
  QString profile;  // the profile to run it under (empty: the server's default)
  std::optional<QString> previous_text;  // the file before this save (nothing: it did not exist)
  bool needs_restart = false;  // some changed key is not reloadable
};

class ConfigApplier : public QObject {
  Q_OBJECT
 public:
  enum class Phase { kIdle, kReloading, kRestarting, kGate, kRollingBack };
  Q_ENUM(Phase)

  explicit ConfigApplier(ConsoleSession& session, QObject* parent = nullptr);

  // How long the server must stay ready after an apply before it counts as accepted.
  void set_gate_ms(int milliseconds) { gate_ms_ = milliseconds; }
  int gate_ms() const { return gate_ms_; }
  Phase phase() const { return phase_; }
  bool busy() const { return phase_ != Phase::kIdle; }

 public slots:
  void apply(prodmcp::console::ApplyRequest request);

 signals:
  void phase_changed(prodmcp::console::ConfigApplier::Phase phase, QString const& detail);
  // accepted: in effect and ready through the gate; otherwise rolled back or refused (`summary` says why).
  void finished(bool accepted, QString const& summary);

 private:
  void reload_or_restart(bool restart);
  void on_log_lines(QList<QByteArray> const& lines);
  void on_health();
  void on_server_state(SupervisedProcess::State state);
  void enter_gate();
  void roll_back(QString const& reason);
  void finish(bool accepted, QString const& summary);
  void set_phase(Phase phase, QString const& detail);

  ConsoleSession& session_;
  ApplyRequest request_;
  ServerLaunchOptions previous_launch_;
  bool launch_changed_ = false;
  bool rolling_back_ = false;
  bool restarting_ = false;
  bool saw_ready_ = false;
  QString not_ready_;  // what the last not-ready answer of the gate said
  QString failure_;  // set while rolling back: the reason, for the final summary
  qint64 gate_started_ms_ = 0;
  QTimer deadline_;  // the answer to SIGHUP, the restart, or the end of the gate
  int gate_ms_ = 15'000;
  Phase phase_ = Phase::kIdle;
};

}  // namespace prodmcp::console
