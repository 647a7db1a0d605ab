#pragma once
// The guided "prototype to production" walkthrough: steps that use the real features (profiles,
// load, faults, a production config with auth) on the supervised server, each done when the
// console sees its effect on the running server, not when its button was pressed. When the
// server fronts servers of the user's own, the walkthrough is about them: the load calls their
// tools, the struggle kills one of them too, and the production config keeps them.
#include <QObject>
#include <QString>
#include <QTimer>
#include <optional>
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
  // The production config for a prototype that ran with `base_text` (its config file; empty for
  // the built-in defaults): the same text with auth (a client "console" holding `token_hash`),
  // JSON logs and rate limits set. Nothing, and `error`, when a key cannot be set in that text.
  static std::optional<QString> production_config(QString const& base_text, QString const& token_hash, QString& error);
  // The server fronts servers of the user's own: the steps are about them.
  bool about_your_server() const;

 public slots:
  void run(int step);
  void refresh();

 signals:
  void changed();

 private:
  bool write_production_config(QString* error);
  void start_traffic();
  void kill_one_upstream();
  void describe_steps();
  qint64 upstream_restarts() const;

  ConsoleSession& session_;
  std::vector<WalkthroughStep> steps_;
  QTimer timer_;
  QString token_;
  QString base_config_file_;  // the config the prototype runs with; the production step builds on it
  bool struggled_ = false;
  bool killed_ = false;
  QString traffic_problem_;  // why the last "give it traffic" sent nothing
  qint64 restarts_before_kill_ = 0;
};

}  // namespace prodmcp::console
