#include "health/mcp_probe.hpp"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QNetworkRequest>

#include "mcp/stateless_request.hpp"

namespace prodmcp::console {

McpProbe::McpProbe(QObject* parent) : QObject(parent) {}

int McpProbe::probe(QUrl const& mcp_url) {
  int const id = next_id_++;
  auto [http, body] = stateless_request(mcp_url, id, QStringLiteral("tools/list"), {}, {}, bearer_token_,
                                        timeout_ms_);
  QElapsedTimer timer;
  timer.start();
  QNetworkReply* reply = network_.post(http, body);
  connect(reply, &QNetworkReply::finished, this, [this, reply, timer, id] {
    reply->deleteLater();
    Result result;
    result.request_id = id;
    result.latency_ms = double(timer.nsecsElapsed()) / 1e6;
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
  return id;
}

}  // namespace prodmcp::console
