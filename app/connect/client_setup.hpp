#pragma once
// "Connect a client": the ready-to-paste configuration of the MCP hosts people use (Claude
// Desktop, Claude Code, Cursor, VS Code, the MCP Inspector) for the server the console watches,
// with YOUR_TOKEN standing where a token goes when the server asks for one (the console never
// writes a real token there).
#include <QList>
#include <QString>
#include <QUrl>

namespace prodmcp::console {

struct ClientSetup {
  QString client;  // "Cursor"
  QString where;   // where the text goes, in words
  QString text;    // what to paste or run
  bool json = false;
};

inline constexpr char kTokenPlaceholder[] = "YOUR_TOKEN";

// `needs_token`: the server requires a bearer token (auth.enabled).
QList<ClientSetup> client_setups(QUrl const& mcp_url, bool needs_token, QString const& name = QStringLiteral("prodmcp"));

}  // namespace prodmcp::console
