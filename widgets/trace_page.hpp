#pragma once
// The protocol view: each proxied call's two legs through the gateway (the client's request to
// the gateway, each attempt upstream) with their ids and timings and the time the gateway added,
// and every JSON-RPC exchange of the console's own client (what it sent, what came back); both
// filtered by text (correlation id, method, name, upstream), the selected one in full, and a jump
// to its log lines or to the charts at its moment.
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTableView>
#include <QWidget>

#include "console_session.hpp"

namespace prodmcp::console {

class TracePage : public QWidget {
  Q_OBJECT
 public:
  explicit TracePage(ConsoleSession& session, QWidget* parent = nullptr);

  QLineEdit* filter_edit() const { return filter_; }
  QTableView* table() const { return table_; }
  QPlainTextEdit* details() const { return details_; }
  QLabel* status_label() const { return status_; }
  QPushButton* logs_button() const { return logs_; }
  QPushButton* charts_button() const { return charts_; }
  QTabWidget* tabs() const { return tabs_; }
  QTableView* messages_table() const { return messages_table_; }
  // The calls of one correlation id (from a log line or the tool explorer).
  void show_correlation_id(QString const& id);

 signals:
  void show_request_logs(QString const& correlation_id);
  void jump_to_time(qint64 time_ms);

 private:
  TracedCall const* selected() const;
  McpExchange const* selected_message() const;
  void show_selected();
  void refresh_status();

  ConsoleSession& session_;
  QSortFilterProxyModel filtered_;
  QSortFilterProxyModel filtered_messages_;
  QTabWidget* tabs_;
  QTableView* messages_table_;
  QLineEdit* filter_;
  QLabel* status_;
  QTableView* table_;
  QPlainTextEdit* details_;
  QPushButton* logs_;
  QPushButton* charts_;
};

}  // namespace prodmcp::console
