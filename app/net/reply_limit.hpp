#pragma once
// A cap on how much of an HTTP reply the console reads: a hostile or broken server's endless
// /metrics or health body ends the request with an error instead of filling memory.
#include <QNetworkReply>
#include <QString>

namespace prodmcp::console {

// Aborts `reply` once more than `max_bytes` of its body have arrived.
void limit_reply_size(QNetworkReply* reply, qint64 max_bytes);
// Whether limit_reply_size aborted it; the error to show then.
bool reply_too_large(QNetworkReply const* reply);
QString reply_too_large_error(qint64 max_bytes);

}  // namespace prodmcp::console
