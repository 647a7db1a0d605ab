#include "demo/fault_client.hpp"

#include "admin/admin_request.hpp"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>

namespace prodmcp::console {

FaultClient::FaultClient(QObject* parent) : QObject(parent) {}

void FaultClient::set_admin_url(QUrl const& admin_url) {
  url_ = admin_url;
  if (url_.isEmpty()) return;
  url_.setPath("/faults");
  refresh();
}

void FaultClient::refresh() {
  if (url_.isEmpty()) return;
  auto request = admin_request(url_);
  request.setTransferTimeout(3000);
  auto* reply = network_.get(request);
  connect(reply, &QNetworkReply::finished, this, [this, reply] { take_answer(reply); });
}

void FaultClient::set_faults(qint64 latency_ms, double error_rate) {
  put({{"latency_ms", latency_ms}, {"error_rate", error_rate}});
}

void FaultClient::arm_crash_tool(bool armed) { put({{"crash_tool", armed}}); }

void FaultClient::put(QJsonObject const& body) {
  if (url_.isEmpty()) return;
  auto request = admin_request(url_);
  request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
  request.setTransferTimeout(3000);
  auto* reply = network_.put(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
  connect(reply, &QNetworkReply::finished, this, [this, reply] { take_answer(reply); });
}

void FaultClient::take_answer(QNetworkReply* reply) {
  reply->deleteLater();
  int const status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  auto const text = reply->readAll();
  auto const body = QJsonDocument::fromJson(text).object();
  if (status == 200) {
    state_.known = true;
    state_.allowed = body.value("allowed").toBool();
    state_.latency_ms = body.value("latency_ms").toInteger();
    state_.error_rate = body.value("error_rate").toDouble();
    state_.crash_tool = body.value("crash_tool").toBool();
    state_.problem.clear();
  } else {
    state_.problem = status == 401 ? admin_refusal(status, text)
                                   : body.value("error").toString(status ? tr("HTTP %1").arg(status) : reply->errorString());
    if (status == 403) {
      state_.known = true;
      state_.allowed = false;
    }
  }
  emit changed(state_);
}

}  // namespace prodmcp::console
