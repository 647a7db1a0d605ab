#pragma once
// The events timeline: starts, exits, restarts, crash loops, health changes, alerts, newest at the
// bottom; narrowed to a time range when a chart range is selected.
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QWidget>

#include "console_session.hpp"

namespace prodmcp::console {

class EventsPage : public QWidget {
  Q_OBJECT
 public:
  explicit EventsPage(ConsoleSession& session, QWidget* parent = nullptr);
  QTableView* table() const { return table_; }
  QPushButton* record_button() const { return record_button_; }
  void set_time_range(qint64 from_ms, qint64 to_ms);
  void clear_time_range();

 private:
  EventTimeFilter filter_;
  QTableView* table_;
  QLabel* range_label_;
  QPushButton* record_button_;
};

}  // namespace prodmcp::console
