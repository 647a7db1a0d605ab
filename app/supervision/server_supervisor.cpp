#include "supervision/server_supervisor.hpp"

#include "admin/admin_request.hpp"
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTcpServer>

namespace prodmcp::console {
namespace {

QString ports_file_path(QTemporaryDir const& dir) { return dir.filePath("ports.json"); }

// A loopback port free right now; redis-server cannot pick one itself.
int free_loopback_port() {
  QTcpServer probe;
  if (!probe.listen(QHostAddress::LocalHost, 0)) return 0;
  return probe.serverPort();
}

}  // namespace

ServerSupervisor::ServerSupervisor(QObject* parent)
    : QObject(parent), redis_(QStringLiteral("redis-server")), server_(QStringLiteral("prodmcp-server")) {
  ports_poll_.setInterval(50);
  connect(&ports_poll_, &QTimer::timeout, this, &ServerSupervisor::check_ports_file);
  connect(&server_, &SupervisedProcess::about_to_launch, this, &ServerSupervisor::prepare_server_launch);
  connect(&server_, &SupervisedProcess::state_changed, this, &ServerSupervisor::on_server_state);
  connect(&redis_, &SupervisedProcess::output_lines, this, &ServerSupervisor::on_redis_output);
  // Redis is a dependency the server survives losing: bring it back whenever it goes.
  redis_.set_restart_options({.mode = RestartMode::kAlways});
  redis_.set_stop_timeout_ms(5000);
  set_options({});
}

ServerSupervisor::~ServerSupervisor() = default;

QString ServerSupervisor::default_binary() {
  QString const beside = QDir(QCoreApplication::applicationDirPath()).filePath("prodmcp-server");
  if (QFileInfo(beside).isExecutable()) return beside;
  QString const on_path = QStandardPaths::findExecutable("prodmcp-server");
  return on_path.isEmpty() ? beside : on_path;
}

void ServerSupervisor::set_options(ServerLaunchOptions options) {
  options_ = std::move(options);
  server_.set_program(options_.binary.isEmpty() ? default_binary() : options_.binary);
  redis_.set_program(options_.redis_binary);
}

QString ServerSupervisor::redis_url() const {
  return redis_port_ > 0 ? QStringLiteral("redis://127.0.0.1:%1").arg(redis_port_) : QString();
}

void ServerSupervisor::start() {
  if (options_.with_redis && redis_.state() != SupervisedProcess::State::kRunning) {
    server_waits_for_redis_ = true;
    redis_port_ = free_loopback_port();
    redis_.set_arguments({"--port", QString::number(redis_port_), "--bind", "127.0.0.1", "--save", "",
                          "--appendonly", "no"});
    redis_.start();
    return;
  }
  server_.start();
}

void ServerSupervisor::stop() {
  server_waits_for_redis_ = false;
  server_.stop();
  redis_.stop();
}

void ServerSupervisor::restart() {
  if (options_.with_redis && redis_.state() != SupervisedProcess::State::kRunning) {
    server_.stop();
    start();
    return;
  }
  server_.restart();
}

void ServerSupervisor::on_redis_output(QList<QByteArray> const& lines) {
  for (auto const& line : lines) {
    if (!line.contains("Ready to accept connections")) continue;
    redis_.mark_ready();
    if (server_waits_for_redis_) {
      server_waits_for_redis_ = false;
      server_.start();
    }
  }
}

void ServerSupervisor::prepare_server_launch() {
  QFile::remove(ports_file_path(work_dir_));
  // Free ports for both endpoints, so a second console or another server never collides; JSON logs,
  // because the console reads them.
  QStringList arguments{"serve", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--ports-file",
                        ports_file_path(work_dir_), "--set", "logging.format=json", "--set", "logging.stream=stderr"};
  if (!options_.config_file.isEmpty()) arguments += {"--config", options_.config_file};
  if (!options_.profile.isEmpty()) arguments += {"--profile", options_.profile};
  arguments += options_.extra_arguments;
  server_.set_arguments(arguments);
  auto environment = QProcessEnvironment::systemEnvironment();
  if (options_.with_redis)
    environment.insert("REDIS_URL", redis_url());
  else if (!environment.contains("REDIS_URL"))  // the embedded default needs no Redis
    environment.insert("REDIS_URL", "");
  // The console's own token opens the server's /logs, /config and /faults whatever its profile;
  // the token itself is the console's, never the server's to read.
  environment.remove("PRODMCP_ADMIN_TOKEN");
  environment.insert("PRODMCP_SERVER_ADMIN_TOKEN_HASH", console_admin_token_hash());
  server_.set_environment(environment);
}

void ServerSupervisor::on_server_state(SupervisedProcess::State state) {
  if (state == SupervisedProcess::State::kStarting) {
    ports_poll_.start();
    return;
  }
  if (state == SupervisedProcess::State::kRunning) return;
  ports_poll_.stop();
  if (mcp_url_.isEmpty() && admin_url_.isEmpty()) return;
  mcp_url_.clear();
  admin_url_.clear();
  emit endpoints_changed(mcp_url_, admin_url_);
}

void ServerSupervisor::check_ports_file() {
  QFile file(ports_file_path(work_dir_));
  if (!file.open(QIODevice::ReadOnly)) return;
  auto const ports = QJsonDocument::fromJson(file.readAll()).object();
  int const mcp = ports.value("mcp").toInt();
  int const admin = ports.value("admin").toInt();
  if (mcp <= 0) return;  // written but not complete yet
  ports_poll_.stop();
  mcp_url_ = QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(mcp));
  admin_url_ = admin > 0 ? QUrl(QStringLiteral("http://127.0.0.1:%1").arg(admin)) : QUrl();
  server_.mark_ready();
  emit endpoints_changed(mcp_url_, admin_url_);
}

}  // namespace prodmcp::console
