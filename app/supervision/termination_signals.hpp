#pragma once
// SIGTERM, SIGINT and SIGHUP turned into a Qt signal (self-pipe + QSocketNotifier), so the console
// quits through its normal path and stops the server it supervises instead of orphaning it.
#include <QObject>
#include <QSocketNotifier>
#include <memory>

namespace prodmcp::console {

class TerminationSignals : public QObject {
  Q_OBJECT
 public:
  // One instance per process: it owns the handlers of SIGTERM, SIGINT and SIGHUP.
  explicit TerminationSignals(QObject* parent = nullptr);
  ~TerminationSignals() override;

 signals:
  void received(int signal_number);

 private:
  void drain();
  std::unique_ptr<QSocketNotifier> notifier_;
};

}  // namespace prodmcp::console
