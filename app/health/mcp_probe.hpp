#pragma once
// A protocol-level probe: a real MCP round-trip (tools/list on the stateless 2026-07-28 wire) that
// tells "the process is alive" from "the server serves MCP".
#include <QNetworkAccessManager>
#include <QObject>
#include <QStringList>
#include <QUrl>

namespace prodmcp::console {

class McpProbe : public QObject {
  Q_OBJECT
 public:
  explicit McpProbe(QObject* parent = nullptr);
  void set_timeout_ms(int milliseconds) { timeout_ms_ = milliseconds; }
  // For servers with auth enabled: sent as "Authorization: Bearer TOKEN".
  void set_bearer_token(QString token) { bearer_token_ = std::move(token); }

  struct Result {
    bool ok = false;
    QStringList tools;
    double latency_ms = 0;
    int http_status = 0;
    QString error;
    int request_id = 0;  // what probe() returned, to match answers to questions
  };

 public slots:
  int probe(QUrl const& mcp_url);

 signals:
  void finished(prodmcp::console::McpProbe::Result const& result);

 private:
  QNetworkAccessManager network_;
  int timeout_ms_ = 3000;
  QString bearer_token_;
  int next_id_ = 1;
};

}  // namespace prodmcp::console
