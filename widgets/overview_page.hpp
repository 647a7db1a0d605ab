#pragma once
// The first page: the key numbers with sparklines of the last 5 minutes, the firing alerts, and
// the latest events, so one glance says whether the server is well.
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QTimer>
#include <QWidget>

#include "console_session.hpp"
#include "sparkline_tile.hpp"

namespace prodmcp::console {

class ConnectClientDialog;

class OverviewPage : public QWidget {
  Q_OBJECT
 public:
  explicit OverviewPage(ConsoleSession& session, QWidget* parent = nullptr);
  QList<SparklineTile*> const& tiles() const { return tiles_; }
  SparklineTile* tile(QString const& id) const;
  QLabel* status_label() const { return status_; }
  // Shown while the supervised server fronts no server of the user's own.
  QPushButton* own_server_button() const { return own_server_; }
  QPushButton* connect_client_button() const { return connect_client_; }
  // Through a gateway: each server behind it, its state and traffic; hidden otherwise.
  QLabel* upstreams_label() const { return upstreams_; }

 signals:
  // "Put your own server behind it…".
  void add_own_server();
  // The link of the line about the servers behind the gateway.
  void show_upstreams();
  // "Connect a client…" opened its dialog (modal; tests reach it here).
  void connect_dialog_opened(prodmcp::console::ConnectClientDialog* dialog);

 public slots:
  void refresh();

 protected:
  void showEvent(QShowEvent* event) override {
    QWidget::showEvent(event);
    refresh();
  }

 private:
  void show_upstream_summary();

  ConsoleSession& session_;
  QTimer timer_;
  QLabel* status_;
  QPushButton* own_server_;
  QPushButton* connect_client_;
  QLabel* upstreams_;
  QList<SparklineTile*> tiles_;
  QListWidget* alerts_;
  QListWidget* recent_events_;
};

}  // namespace prodmcp::console
