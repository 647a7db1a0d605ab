#pragma once
// The strip at the top: which server is watched, its process state, pid, uptime, restarts and last
// exit reason, and the controls (start, stop, restart, restart policy). In attach mode only the
// URLs show: there is no process to control.
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QTimer>
#include <QWidget>

#include "console_session.hpp"

namespace prodmcp::console {

class SupervisionBar : public QWidget {
  Q_OBJECT
 public:
  explicit SupervisionBar(ConsoleSession& session, QWidget* parent = nullptr);

  QLabel* state_label() const { return state_label_; }
  QLabel* exit_label() const { return exit_label_; }
  QLabel* restarts_label() const { return restarts_label_; }
  QPushButton* start_button() const { return start_button_; }
  QPushButton* stop_button() const { return stop_button_; }
  QPushButton* restart_button() const { return restart_button_; }
  QComboBox* profile_box() const { return profile_box_; }
  // The config file for the next start ("" for the embedded defaults).
  void choose_config_file(QString const& path);

 private:
  void refresh();

  ConsoleSession& session_;
  QTimer tick_;
  QLabel* state_label_;
  QLabel* target_label_;
  QLabel* pid_label_;
  QLabel* uptime_label_;
  QLabel* restarts_label_;
  QLabel* exit_label_;
  QPushButton* start_button_ = nullptr;
  QPushButton* stop_button_ = nullptr;
  QPushButton* restart_button_ = nullptr;
  QComboBox* policy_box_ = nullptr;
  QComboBox* profile_box_ = nullptr;
  QPushButton* config_button_ = nullptr;
};

}  // namespace prodmcp::console
