#pragma once
// The console's local prodmcp-server (and, on request, a local redis-server for it): launched on
// free loopback ports with the chosen config file and profile, JSON logs on its output, endpoints
// read from the ports file the server writes.
#include <QObject>
#include <QTemporaryDir>
#include <QUrl>
#include <memory>

#include "supervision/supervised_process.hpp"

namespace prodmcp::console {

struct ServerLaunchOptions {
  QString binary;       // empty: the prodmcp-server next to the console, else on PATH
  QString config_file;  // empty: the embedded defaults
  QString profile;      // empty: the server's default (development) or the file's choice
  QStringList extra_arguments;
  bool with_redis = false;  // start a private redis-server and point REDIS_URL at it
  QString redis_binary = QStringLiteral("redis-server");
};

class ServerSupervisor : public QObject {
  Q_OBJECT
 public:
  explicit ServerSupervisor(QObject* parent = nullptr);
  ~ServerSupervisor() override;

  void set_options(ServerLaunchOptions options);
  ServerLaunchOptions const& options() const { return options_; }

  SupervisedProcess& server() { return server_; }
  SupervisedProcess& redis() { return redis_; }
  QUrl mcp_url() const { return mcp_url_; }
  QUrl admin_url() const { return admin_url_; }
  QString redis_url() const;

  static QString default_binary();

 public slots:
  void start();
  void stop();
  void restart();

 signals:
  // Both empty while the server is not up.
  void endpoints_changed(QUrl const& mcp_url, QUrl const& admin_url);

 private:
  void prepare_server_launch();
  void check_ports_file();
  void on_server_state(SupervisedProcess::State state);
  void on_redis_output(QList<QByteArray> const& lines);

  ServerLaunchOptions options_;
  QTemporaryDir work_dir_;
  QTimer ports_poll_;
  // Destroyed in reverse: the server stops (and drains) before its Redis.
  SupervisedProcess redis_;
  SupervisedProcess server_;
  int redis_port_ = 0;
  bool server_waits_for_redis_ = false;
  QUrl mcp_url_;
  QUrl admin_url_;
};

}  // namespace prodmcp::console
