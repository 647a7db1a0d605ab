#pragma once
// The server's structured log: a table over the log model (only visible rows are drawn), a query
// box (level, text, /regex/, key=value), follow mode, a correlation-id pivot (click the id), a jump
// from a line to the charts at that moment, the selected line in full, copy and export.
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableView>
#include <QWidget>

#include "logs/log_table_model.hpp"

namespace prodmcp::console {

class LogsPage : public QWidget {
  Q_OBJECT
 public:
  explicit LogsPage(logs::LogTableModel& model, QWidget* parent = nullptr);

  QTableView* table() const { return table_; }
  QLineEdit* query_edit() const { return query_; }
  QLabel* status_label() const { return status_; }
  QCheckBox* follow_box() const { return follow_; }
  QPushButton* trace_button() const { return to_trace_; }
  // Applies the level choice and the query text; false (and the reason shown) when the query is bad.
  bool apply_query();
  // The chart pivot: only lines within [from, to].
  void set_time_range(qint64 from_ms, qint64 to_ms);
  void show_correlation_id(QString const& id);
  // The lines `query` finds (as typed in the query box), all levels, follow off.
  void show_query(QString const& query);

 signals:
  // "Show on charts" for the selected line.
  void jump_to_time(qint64 time_ms);
  // "Show in trace": the selected line's correlation id.
  void show_in_trace(QString const& correlation_id);

 private:
  void show_selected();
  void refresh_status();
  void export_lines(bool csv);

  logs::LogTableModel& model_;
  QComboBox* level_;
  QLineEdit* query_;
  QLabel* error_;
  QCheckBox* follow_;
  QPushButton* to_trace_;
  QTableView* table_;
  QPlainTextEdit* details_;
  QLabel* status_;
};

}  // namespace prodmcp::console
