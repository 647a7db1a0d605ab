#include "admin/admin_request.hpp"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtGlobal>

#include "net/reply_limit.hpp"

namespace prodmcp::console {

QByteArray console_admin_token() {
  if (auto given = qgetenv("PRODMCP_ADMIN_TOKEN"); !given.isEmpty()) return given;
  static QByteArray const made_up = random_token();
  return made_up;
}

QByteArray random_token() {
  QByteArray random(24, Qt::Uninitialized);
  QRandomGenerator::system()->fillRange(reinterpret_cast<quint32*>(random.data()), random.size() / 4);
  return random.toHex();
}

QString token_hash(QByteArray const& token) {
  return "sha256:" + QString::fromLatin1(QCryptographicHash::hash(token, QCryptographicHash::Sha256).toHex());
}

QString console_admin_token_hash() {
  return token_hash(console_admin_token());
}

QNetworkRequest admin_request(QUrl const& url) {
  QNetworkRequest request(url);
  request.setRawHeader("Authorization", "Bearer " + console_admin_token());
  return request;
}

QString admin_refusal(int status, QByteArray const& body) {
  if (status != 401 && status != 403) return {};
  auto const answer = QJsonDocument::fromJson(body).object();
  auto const error = answer.value("error").toString();
  auto const said = error.isEmpty() ? QString::number(status) : QStringLiteral("%1: %2").arg(status).arg(error);
  if (status == 401 && qEnvironmentVariableIsEmpty("PRODMCP_ADMIN_TOKEN"))
    return QCoreApplication::translate("AdminRequest",
                                       "the server wants its admin token (%1); start the console with "
                                       "PRODMCP_ADMIN_TOKEN set to it")
        .arg(said);
  auto const hint = answer.value("hint").toString();
  return QCoreApplication::translate("AdminRequest", "the server refused the console (%1)").arg(said) +
         (hint.isEmpty() ? QString() : "; " + hint);
}

QString admin_reply_problem(QNetworkReply const* reply, QByteArray const& body, qint64 max_bytes) {
  auto const path = reply->url().path();
  int const status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  if (reply_too_large(reply)) return QStringLiteral("%1: %2").arg(path, reply_too_large_error(max_bytes));
  if (status == 0) return reply->errorString();
  if (status == 401 || status == 403) return admin_refusal(status, body);
  if (status == 404)
    return QCoreApplication::translate("AdminRequest", "this server has no %1 (an older prodmcp-server)").arg(path);
  if (status != 200) return QCoreApplication::translate("AdminRequest", "%1 answered HTTP %2").arg(path).arg(status);
  return {};
}

}  // namespace prodmcp::console
