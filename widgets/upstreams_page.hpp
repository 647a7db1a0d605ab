#pragma once
// The gateway's upstreams: one row per upstream MCP server (state, transport, process and its
// client sessions' children, restarts, the last exit in its own words, calls/s, error ratio,
// p50/p95, tools), the selected one in full, its actions (restart, its log lines), and charts of
// the calls to each upstream.
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableView>
#include <QTimer>
#include <QWidget>

#include "config_editor/upstream_tables.hpp"
#include "console_session.hpp"

namespace prodmcp::console {

class TimeSeriesChart;

class UpstreamsPage : public QWidget {
  Q_OBJECT
 public:
  explicit UpstreamsPage(ConsoleSession& session, QWidget* parent = nullptr);
  // The colour a state is shown in (here and on the Overview).
  static QColor state_colour(UpstreamState state);

  QTableView* table() const { return table_; }
  QLabel* status_label() const { return status_; }
  QPlainTextEdit* details() const { return details_; }
  QPushButton* restart_button() const { return restart_; }
  QPushButton* logs_button() const { return logs_; }
  QPushButton* add_button() const { return add_; }
  QPushButton* ship_button() const { return ship_; }
  // Ship it: writes the deployment bundle of the running server into `directory`; what was done
  // (or what went wrong), as the page shows it.
  QString ship_to(QString const& directory);
  // Adds the dialog's servers to the config document; the problem, or empty (then Config shows them).
  QString add_to_config(QList<UpstreamDraft> const& drafts);
  QString selected_name() const;

 signals:
  // "Logs": the Logs page filtered to this upstream's lines.
  void show_upstream_logs(QString const& name);
  // Servers were added to the config document: the Config page, to check, save and apply.
  void show_config();

 private:
  void refresh_status();
  void show_selected();
  void redraw_charts();

  ConsoleSession& session_;
  QLabel* status_;
  QTableView* table_;
  QPlainTextEdit* details_;
  QPushButton* restart_;
  QPushButton* logs_;
  QPushButton* add_;
  QPushButton* ship_;
  QLabel* action_result_;
  QList<TimeSeriesChart*> charts_;
  QTimer redraw_timer_;
};

}  // namespace prodmcp::console
