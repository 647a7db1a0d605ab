#pragma once
// The health panel: every check (liveness, readiness, each dependency, the MCP round-trip) with its
// state, latency, detail and a history strip, plus the tools the MCP probe found.
#include <QLabel>
#include <QListWidget>
#include <QTableView>
#include <QWidget>

#include "console_session.hpp"

namespace prodmcp::console {

class HealthPage : public QWidget {
  Q_OBJECT
 public:
  explicit HealthPage(ConsoleSession& session, QWidget* parent = nullptr);
  QTableView* table() const { return table_; }
  QLabel* summary_label() const { return summary_; }
  // "alive"/"not answering" and "ready"/"not ready" badges (also on the overview).
  static QString status_badges(HealthPoller const& health);

 private:
  void refresh();

  ConsoleSession& session_;
  QLabel* summary_;
  QTableView* table_;
  QListWidget* tools_;
};

}  // namespace prodmcp::console
