#pragma once
// An MCP client for a prototype server as it is, with no gateway in front: it starts a stdio
// server's command itself, or opens a session with a Streamable HTTP server (the 2025 revisions:
// initialize, Mcp-Session-Id, MCP-Protocol-Version), and calls it. What a plain MCP host does,
// so the Demo page can send the same load to the prototype directly and through the gateway.
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPair>
#include <QProcess>
#include <QStringList>
#include <QUrl>
#include <functional>
#include <map>
#include <memory>

#include "mcp/mcp_client.hpp"
#include "net/line_splitter.hpp"

class QTimer;

namespace prodmcp::console {

struct DirectTarget {
  // stdio: the command the console starts, in `working_directory` (empty: the console's), with
  // `environment` added to the console's own.
  QString program;
  QStringList arguments;
  QMap<QString, QString> environment;
  QString working_directory;
  // Streamable HTTP: the endpoint, with `headers` on every request.
  QUrl url;
  QList<QPair<QByteArray, QByteArray>> headers;

  bool remote() const { return !url.isEmpty(); }
  bool empty() const { return program.isEmpty() && url.isEmpty(); }
  QString summary() const;  // "python3 notes_server.py" or the URL
};

class DirectMcpClient : public QObject {
  Q_OBJECT
 public:
  static constexpr auto kProtocolVersion = "2025-11-25";  // offered; the server may answer an older one
  static constexpr qsizetype kMaxMessageBytes = qsizetype{32} << 20;
  static constexpr int kOpenTimeoutMs = 30'000;  // a first `npx` may download the server

  explicit DirectMcpClient(QObject* parent = nullptr);
  ~DirectMcpClient() override;

  void set_timeout_ms(int milliseconds) { timeout_ms_ = milliseconds; }
  // Starts the server (stdio) or opens a session (HTTP), then initializes; `done` gets an empty
  // problem once the server can be called, else what went wrong. Closes what was open before.
  void open(DirectTarget target, std::function<void(QString problem)> done);
  void request(QString const& method, QJsonObject params, std::function<void(McpAnswer)> done);
  void call_tool(QString const& tool, QJsonObject arguments, std::function<void(McpAnswer)> done);
  // Every page of tools/list (bounded).
  void list_tools(std::function<void(QJsonArray tools, QString problem)> done);
  // Ends the session (HTTP DELETE) or the process (stdin closed, then SIGTERM, then SIGKILL).
  void close();

  bool is_open() const { return state_ == State::kOpen; }
  qint64 pid() const;  // stdio: the running server's; 0 otherwise
  QString const& server_name() const { return server_name_; }
  QString const& protocol_version() const { return protocol_version_; }
  QStringList const& stderr_tail() const { return stderr_tail_; }

 signals:
  // The server went away while open: the process exited or the HTTP session is gone.
  void closed(QString const& why);

 private:
  enum class State { kClosed, kOpening, kOpen };
  struct Pending {
    std::function<void(McpAnswer)> done;
    QElapsedTimer clock;
    QTimer* timeout = nullptr;
  };

  void initialize(std::function<void(QString)> done);
  void send_stdio(qint64 id, QJsonObject const& message, int timeout_ms, std::function<void(McpAnswer)> done);
  void send_http(QJsonObject const& message, int timeout_ms, std::function<void(McpAnswer)> done);
  void notify(QString const& method);
  void read_stdout();
  void read_stderr();
  void take_message(QJsonObject const& message);
  void answer_server_request(QJsonObject const& request);
  void process_ended(QString const& why);
  void fail_all(QString const& why);

  DirectTarget target_;
  State state_ = State::kClosed;
  int timeout_ms_ = 10'000;
  qint64 next_id_ = 1;
  std::unique_ptr<QProcess> process_;
  LineSplitter stdout_lines_{kMaxMessageBytes};
  LineSplitter stderr_lines_;
  QStringList stderr_tail_;
  std::map<qint64, Pending> pending_;
  QNetworkAccessManager network_;
  QByteArray session_id_;
  QString closed_why_;  // why the server went away, for an open that never got to initialize
  QString server_name_;
  QString protocol_version_;
};

}  // namespace prodmcp::console
