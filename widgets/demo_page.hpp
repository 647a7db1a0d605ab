#pragma once
// The demo bench (development and staging only): a bounded load generator so the charts move, the
// server's fault switches (added latency, error rate, a crashing tool) and, with a private Redis, a
// Redis outage; and, on its second tab, the before/after comparison of the user's own server.
#include <QDoubleSpinBox>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QWidget>

#include "console_session.hpp"

namespace prodmcp::console {

class ComparisonPanel;

class DemoPage : public QWidget {
  Q_OBJECT
 public:
  explicit DemoPage(ConsoleSession& session, QWidget* parent = nullptr);

  QSpinBox* rate_box() const { return rate_; }
  QSpinBox* duration_box() const { return duration_; }
  QPushButton* load_button() const { return load_button_; }
  QLabel* load_label() const { return load_label_; }
  QSpinBox* latency_box() const { return latency_; }
  QDoubleSpinBox* error_rate_box() const { return error_rate_; }
  QPushButton* apply_faults_button() const { return apply_faults_; }
  QLabel* faults_label() const { return faults_label_; }
  QPushButton* crash_button() const { return crash_button_; }
  ComparisonPanel* comparison() const { return comparison_; }
  void show_comparison();

 private:
  void show_load(LoadStats const& stats);
  void show_faults(FaultState const& state);

  ConsoleSession& session_;
  QTabWidget* tabs_;
  ComparisonPanel* comparison_;
  QSpinBox* rate_;
  QSpinBox* duration_;
  QSpinBox* in_flight_;
  QPushButton* load_button_;
  QLabel* load_label_;
  QSpinBox* latency_;
  QDoubleSpinBox* error_rate_;
  QPushButton* apply_faults_;
  QPushButton* clear_faults_;
  QPushButton* crash_button_;
  bool crash_pending_ = false;  // armed on request; the call follows the server's confirmation
  QLabel* faults_label_;
  QPushButton* redis_button_ = nullptr;
};

}  // namespace prodmcp::console
