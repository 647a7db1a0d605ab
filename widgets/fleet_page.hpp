#pragma once
// Several servers at once: the supervised one and attached development, staging and production
// servers, each with availability, response time, failed checks in a row, health score and alert.
#include <QTableView>
#include <QWidget>

#include "console_session.hpp"

namespace prodmcp::console {

class FleetPage : public QWidget {
  Q_OBJECT
 public:
  explicit FleetPage(ConsoleSession& session, QWidget* parent = nullptr);
  QTableView* table() const { return table_; }

 private:
  void add_server();

  ConsoleSession& session_;
  QTableView* table_;
};

}  // namespace prodmcp::console
