#include "mcp_probe.hpp"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <memory>

McpProbe::McpProbe(QObject* parent) : QObject(parent) {}

void McpProbe::probe(QUrl const& mcp_url) {
  QJsonObject const meta{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                         {"io.modelcontextprotocol/clientCapabilities", QJsonObject{}},
                         {"io.modelcontextprotocol/clientInfo",
                          QJsonObject{{"name", "prodmcp-console"}, {"version", "0.1.0"}}}};
  QJsonObject const request{{"jsonrpc", "2.0"},
                            {"id", next_id_++},
                            {"method", "tools/list"},
                            {"params", QJsonObject{{"_meta", meta}}}};
  QNetworkRequest http(mcp_url);
  http.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
  http.setRawHeader("Accept", "application/json, text/event-stream");
  http.setRawHeader("MCP-Protocol-Version", "2026-07-28");
  http.setRawHeader("Mcp-Method", "tools/list");
  http.setTransferTimeout(timeout_ms_);
  auto timer = std::make_shared<QElapsedTimer>();
  timer->start();
  QNetworkReply* reply = network_.post(http, QJsonDocument(request).toJson(QJsonDocument::Compact));
  connect(reply, &QNetworkReply::finished, this, [this, reply, timer] {
    reply->deleteLater();
    Result result;
    result.latency_ms = timer->elapsed();
    if (reply->error() != QNetworkReply::NoError) {
      result.error = reply->errorString();
      emit finished(result);
      return;
    }
    auto const body = QJsonDocument::fromJson(reply->readAll()).object();
    if (body.contains("error")) {
      result.error = body.value("error").toObject().value("message").toString();
    } else {
      for (auto const& tool : body.value("result").toObject().value("tools").toArray())
        result.tools << tool.toObject().value("name").toString();
      result.ok = true;
    }
    emit finished(result);
  });
}
