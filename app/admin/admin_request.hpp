#pragma once
// A request to a server's protected admin routes (/logs, /config, /faults). A server outside the
// development profile, or reached from another machine, wants its admin token. The console's token
// is the one its environment gives as PRODMCP_ADMIN_TOKEN (for attaching to a server that has one),
// or else one it makes up at start; a server the console starts itself is given its hash.
#include <QByteArray>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QString>
#include <QUrl>

namespace prodmcp::console {

QNetworkRequest admin_request(QUrl const& url);

// The console's admin token, and its hash as server.admin_token_hash wants it (sha256:<hex>).
QByteArray console_admin_token();
QString console_admin_token_hash();

// A new bearer token: 24 random bytes from the system's generator, as hex.
QByteArray random_token();
// A token as auth.clients and server.admin_token_hash store it: sha256:<hex>.
QString token_hash(QByteArray const& token);

// What went wrong with a finished GET of a protected route, for people: too large (limit_reply_size
// at `max_bytes`), no answer, refused, a server without the route, another status; empty for 200.
QString admin_reply_problem(QNetworkReply const* reply, QByteArray const& body, qint64 max_bytes);

// What to tell the user when a protected route answered 401 or 403 (`body`: the server's JSON
// error); empty for any other status.
QString admin_refusal(int status, QByteArray const& body);

}  // namespace prodmcp::console
