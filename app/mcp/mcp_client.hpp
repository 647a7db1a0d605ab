#pragma once
// The console's MCP client (Streamable HTTP, stateless 2026-07-28 wire): lists what a server
// offers (tools, resources, templates, prompts, following pagination) and calls it, reporting each
// answer's latency and the correlation id the server gave the request, to find its log lines.
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QObject>
#include <QUrl>
#include <functional>

#include "mcp/message_log.hpp"

namespace prodmcp::console {

struct McpAnswer {
  bool ok = false;         // a JSON-RPC result (a tool's isError result is still ok here)
  QJsonObject result;
  QJsonObject error;       // the JSON-RPC error, when there is one
  int http_status = 0;
  double latency_ms = 0;
  QString correlation_id;  // the X-Correlation-ID the server answered with
  QString problem;         // for people: the error message, HTTP status or transport error
  bool timed_out = false;  // no answer within the client's timeout
};

// The JSON-RPC response in a reply body: plain JSON, or the response event of an SSE stream
// (notifications before it are skipped). Empty when there is none.
QJsonObject json_rpc_response(QByteArray const& body, QByteArray const& content_type);
// Fills `answer` from a JSON-RPC response: ok and its result, or its error and a problem that
// says it (with answer.http_status when there is one). False when `response` is neither.
bool read_json_rpc_response(QJsonObject const& response, McpAnswer& answer);

// Asks for one page of a list with these params (the cursor, when there is one).
using PageRequest = std::function<void(QJsonObject params, std::function<void(McpAnswer)> done)>;
// Every page of a list method (`key` names the array in each result): follows nextCursor, at most
// 10,000 items and 1,000 pages, and stops, saying so, at a cursor that does not advance. `done`
// gets what was collected and the first problem ("tools/list: ..."), if any.
void list_every_page(PageRequest request, QString const& method, QString const& key,
                     std::function<void(QJsonArray items, QString problem)> done);

struct McpCatalog {
  QJsonArray tools, resources, resource_templates, prompts;
  QString problem;  // the first list that failed, if any
};

class McpClient : public QObject {
  Q_OBJECT
 public:
  explicit McpClient(QObject* parent = nullptr);
  void set_url(QUrl url) { url_ = std::move(url); }
  QUrl const& url() const { return url_; }
  void set_bearer_token(QString token) { token_ = std::move(token); }
  void set_timeout_ms(int milliseconds) { timeout_ms_ = milliseconds; }
  // A reply body past this is not read further: the call fails and says so (32 MiB unless set).
  void set_max_reply_bytes(qint64 bytes) { max_reply_bytes_ = bytes; }

  // `name` goes into the Mcp-Name header (the tool, resource URI or prompt).
  void request(QString const& method, QJsonObject params, QString const& name, std::function<void(McpAnswer)> done);
  void call_tool(QString const& tool, QJsonObject arguments, std::function<void(McpAnswer)> done);
  void list_all(std::function<void(McpCatalog)> done);
  // Where every exchange is written down (the Trace page's protocol view); null for none.
  void set_message_log(MessageLog* log) { log_ = log; }

 private:
  QNetworkAccessManager network_;
  QUrl url_;
  QString token_;
  int timeout_ms_ = 30'000;
  qint64 max_reply_bytes_ = qint64{32} << 20;
  int next_id_ = 1;
  MessageLog* log_ = nullptr;
};

}  // namespace prodmcp::console
