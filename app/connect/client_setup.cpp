#include "connect/client_setup.hpp"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace prodmcp::console {

namespace {

QString pretty(QJsonObject const& object) { return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented)); }

}  // namespace

QList<ClientSetup> client_setups(QUrl const& mcp_url, bool needs_token, QString const& name) {
  auto const url = mcp_url.toString();
  auto const bearer = QStringLiteral("Bearer %1").arg(QLatin1String(kTokenPlaceholder));
  QList<ClientSetup> setups;

  // Claude Desktop's file starts stdio servers only: mcp-remote bridges it to a URL.
  QJsonArray bridge{"-y", "mcp-remote", url};
  QJsonObject desktop_server{{"command", "npx"}};
  if (needs_token) {
    bridge.append("--header");
    bridge.append("Authorization:${PRODMCP_AUTH}");  // no space: Claude Desktop splits arguments at spaces on Windows
    desktop_server.insert("env", QJsonObject{{"PRODMCP_AUTH", bearer}});
  }
  desktop_server.insert("args", bridge);
  setups.append({QStringLiteral("Claude Desktop"),
                 QObject::tr("claude_desktop_config.json (Settings → Developer → Edit Config), merged into "
                             "\"mcpServers\"; needs Node.js for npx"),
                 pretty(QJsonObject{{"mcpServers", QJsonObject{{name, desktop_server}}}}), true});

  QString claude_code = QStringLiteral("claude mcp add --transport http %1 %2").arg(name, url);
  if (needs_token) claude_code += QStringLiteral(" --header \"Authorization: %1\"").arg(bearer);
  setups.append({QStringLiteral("Claude Code"), QObject::tr("run in a terminal, in your project"), claude_code, false});

  QJsonObject cursor_server{{"url", url}};
  if (needs_token) cursor_server.insert("headers", QJsonObject{{"Authorization", bearer}});
  setups.append({QStringLiteral("Cursor"),
                 QObject::tr(".cursor/mcp.json in your project (or ~/.cursor/mcp.json for every project)"),
                 pretty(QJsonObject{{"mcpServers", QJsonObject{{name, cursor_server}}}}), true});

  // VS Code asks for the token once and keeps it in its secret storage.
  QJsonObject vscode_server{{"type", "http"}, {"url", url}};
  QJsonObject vscode{{"servers", QJsonObject{{name, vscode_server}}}};
  if (needs_token) {
    vscode_server.insert("headers", QJsonObject{{"Authorization", QStringLiteral("Bearer ${input:%1-token}").arg(name)}});
    vscode = QJsonObject{{"servers", QJsonObject{{name, vscode_server}}},
                         {"inputs", QJsonArray{QJsonObject{{"type", "promptString"},
                                                           {"id", name + "-token"},
                                                           {"description", QObject::tr("Bearer token for %1").arg(name)},
                                                           {"password", true}}}}};
  }
  setups.append({QStringLiteral("VS Code"), QObject::tr(".vscode/mcp.json in your workspace"), pretty(vscode), true});

  QString inspector = QStringLiteral("npx @modelcontextprotocol/inspector --cli %1 --method tools/list").arg(url);
  if (needs_token) inspector += QStringLiteral(" --header \"Authorization: %1\"").arg(bearer);
  setups.append({QStringLiteral("MCP Inspector"),
                 QObject::tr("run in a terminal: lists the tools (leave out --cli for its web UI)"), inspector, false});
  return setups;
}

}  // namespace prodmcp::console
