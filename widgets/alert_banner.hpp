#pragma once
// A strip under the supervision bar, shown only while alerts fire (red for critical, amber for
// warnings), naming them; a tray notification when one starts firing.
#include <QLabel>
#include <QSystemTrayIcon>

#include "console_session.hpp"

namespace prodmcp::console {

class AlertBanner : public QLabel {
  Q_OBJECT
 public:
  explicit AlertBanner(ConsoleSession& session, QWidget* parent = nullptr);

 private:
  void refresh();
  void notify(AlertStatus const& status, AlertState from);

  ConsoleSession& session_;
  QSystemTrayIcon* tray_ = nullptr;
};

}  // namespace prodmcp::console
