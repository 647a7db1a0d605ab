#pragma once
// A protocol-level probe: a real MCP round-trip (tools/list, stateless 2026-07-28 wire) that tells
// "the process is alive" from "the server serves MCP".
#include <QNetworkAccessManager>
#include <QObject>
#include <QStringList>
#include <QUrl>

class McpProbe : public QObject {
  Q_OBJECT
 public:
  explicit McpProbe(QObject* parent = nullptr);
  void setTimeout(int milliseconds) { timeout_ms_ = milliseconds; }

  struct Result {
    bool ok = false;
    QStringList tools;
    qint64 latency_ms = 0;
    QString error;
  };

 public slots:
  void probe(QUrl const& mcp_url);

 signals:
  void finished(McpProbe::Result const& result);

 private:
  QNetworkAccessManager network_;
  int timeout_ms_ = 3000;
  int next_id_ = 1;
};
