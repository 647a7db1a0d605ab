#pragma once
// The console's window: the supervised server's state and controls, a protocol-level probe with
// the tools it offers, and the server's log stream.
#include <QLabel>
#include <QListWidget>
#include <QMainWindow>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTimer>

#include "mcp_probe.hpp"
#include "server_process.hpp"

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ServerProcess& server() { return server_; }

  // Exposed for tests and screenshots.
  QLabel* stateLabel() const { return state_label_; }
  QLabel* probeLabel() const { return probe_label_; }
  QListWidget* toolList() const { return tool_list_; }
  QPlainTextEdit* logView() const { return log_view_; }

 private:
  void showState(ServerProcess::State state);
  void showProbe(McpProbe::Result const& result);
  void refreshUptime();

  ServerProcess server_;
  McpProbe probe_;
  QTimer probe_timer_;
  QTimer uptime_timer_;
  QLabel* state_label_;
  QLabel* pid_label_;
  QLabel* url_label_;
  QLabel* uptime_label_;
  QLabel* probe_label_;
  QLabel* exit_label_;
  QPushButton* start_button_;
  QPushButton* stop_button_;
  QPushButton* restart_button_;
  QListWidget* tool_list_;
  QPlainTextEdit* log_view_;
  bool restart_pending_ = false;
};
