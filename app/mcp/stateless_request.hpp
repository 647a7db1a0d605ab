#pragma once
// One stateless MCP request (the 2026-07-28 wire: no session, protocol version and client facts in
// _meta, method and name mirrored in Mcp-Method / Mcp-Name headers), as the console's probe and
// load generator send it.
#include <QByteArray>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QString>
#include <QUrl>

namespace prodmcp::console {

struct StatelessRequest {
  QNetworkRequest http;
  QByteArray body;
};

// `name`: the tool for tools/call (sent as Mcp-Name); empty otherwise.
StatelessRequest stateless_request(QUrl const& mcp_url, int id, QString const& method, QJsonObject params,
                                   QString const& name = {}, QString const& bearer_token = {}, int timeout_ms = 3000);

}  // namespace prodmcp::console
