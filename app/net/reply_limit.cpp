#include "net/reply_limit.hpp"

#include <QCoreApplication>

namespace prodmcp::console {

namespace {
constexpr char kTooLarge[] = "prodmcp_reply_too_large";
}

void limit_reply_size(QNetworkReply* reply, qint64 max_bytes) {
  QObject::connect(reply, &QNetworkReply::downloadProgress, reply, [reply, max_bytes](qint64 received, qint64) {
    if (received <= max_bytes || reply->property(kTooLarge).toBool()) return;
    reply->setProperty(kTooLarge, true);
    reply->abort();
  });
}

bool reply_too_large(QNetworkReply const* reply) { return reply->property(kTooLarge).toBool(); }

QString reply_too_large_error(qint64 max_bytes) {
  return QCoreApplication::translate("ReplyLimit", "the reply passed %1 MiB and was not read further")
      .arg(max_bytes >> 20);
}

}  // namespace prodmcp::console
