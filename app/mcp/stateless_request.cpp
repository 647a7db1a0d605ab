#include "mcp/stateless_request.hpp"

#include <QJsonDocument>

namespace prodmcp::console {

StatelessRequest stateless_request(QUrl const& mcp_url, int id, QString const& method, QJsonObject params,
                                   QString const& name, QString const& bearer_token, int timeout_ms) {
  QJsonObject const meta{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                         {"io.modelcontextprotocol/clientCapabilities", QJsonObject{}},
                         {"io.modelcontextprotocol/clientInfo",
                          QJsonObject{{"name", "prodmcp-console"}, {"version", PRODMCP_CONSOLE_VERSION}}}};
  params.insert("_meta", meta);
  QJsonObject const request{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
  StatelessRequest result{QNetworkRequest(mcp_url), QJsonDocument(request).toJson(QJsonDocument::Compact)};
  auto& http = result.http;
  http.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
  http.setRawHeader("Accept", "application/json, text/event-stream");
  http.setRawHeader("MCP-Protocol-Version", "2026-07-28");
  http.setRawHeader("Mcp-Method", method.toUtf8());
  if (!name.isEmpty()) http.setRawHeader("Mcp-Name", name.toUtf8());
  if (!bearer_token.isEmpty()) http.setRawHeader("Authorization", "Bearer " + bearer_token.toUtf8());
  http.setTransferTimeout(timeout_ms);
  return result;
}

}  // namespace prodmcp::console
