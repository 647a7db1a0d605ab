#pragma once
// The guided "prototype to production" walkthrough: steps that use the real features (profiles,
// load, faults, a production config with auth) on the supervised server, each done when the
// console sees its effect on the running server, not when its button was pressed.
#include <QObject>
#include <QString>
#include <QTimer>
#include <vector>

namespace prodmcp::console {

class ConsoleSession;

struct WalkthroughStep {
  QString title;
  QString explanation;  // what the step does and what to watch
  QString action;       // the button's label
  bool done = false;
  QString status;       // what the console sees now
};

class Walkthrough : public QObject {
  Q_OBJECT
 public:
  enum Step { kDevelopment, kTraffic, kStruggle, kRecover, kProduction, kShip, kStepCount };

  explicit Walkthrough(ConsoleSession& session, QObject* parent = nullptr);

  std::vector<WalkthroughStep> const& steps() const { return steps_; }
  // The token the production step gave the console's clients (empty before it ran).
  QString const& production_token() const { return token_; }
  // Where the production step wrote its config.
  QString production_config_path() const;

 public slots:
  void run(int step);
  void refresh();

 signals:
  void changed();

 private:
  bool write_production_config(QString* error);

  ConsoleSession& session_;
  std::vector<WalkthroughStep> steps_;
  QTimer timer_;
  QString token_;
  bool struggled_ = false;
};

}  // namespace prodmcp::console
