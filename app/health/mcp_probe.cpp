#include "health/mcp_probe.hpp"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace prodmcp::console {

McpProbe::McpProbe(QObject* parent) : QObject(parent) {}

void McpProbe::probe(QUrl const& mcp_url) {
  QJsonObject const meta{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                         {"io.modelcontextprotocol/clientCapabilities", QJsonObject{}},
                         {"io.modelcontextprotocol/clientInfo",
                          QJsonObject{{"name", "prodmcp-console"}, {"version", PRODMCP_CONSOLE_VERSION}}}};
  QJsonObject const request{{"jsonrpc", "2.0"},
                            {"id", next_id_++},
                            {"method", "tools/list"},
                            {"params", QJsonObject{{"_meta", meta}}}};
  QNetworkRequest http(mcp_url);
  http.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
  http.setRawHeader("Accept", "application/json, text/event-stream");
  http.setRawHeader("MCP-Protocol-Version", "2026-07-28");
  http.setRawHeader("Mcp-Method", "tools/list");
  if (!bearer_token_.isEmpty()) http.setRawHeader("Authorization", "Bearer " + bearer_token_.toUtf8());
  http.setTransferTimeout(timeout_ms_);
  QElapsedTimer timer;
  timer.start();
  QNetworkReply* reply = network_.post(http, QJsonDocument(request).toJson(QJsonDocument::Compact));
  connect(reply, &QNetworkReply::finished, this, [this, reply, timer] {
    reply->deleteLater();
    Result result;
    result.latency_ms = timer.elapsed();
    result.http_status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    auto const body = QJsonDocument::fromJson(reply->readAll()).object();
    if (body.contains("error")) {
      result.error = body.value("error").toObject().value("message").toString();
    } else if (reply->error() != QNetworkReply::NoError) {
      result.error = reply->errorString();
    } else {
      for (auto const& tool : body.value("result").toObject().value("tools").toArray())
        result.tools << tool.toObject().value("name").toString();
      result.ok = true;
    }
    emit finished(result);
  });
}

}  // namespace prodmcp::console
