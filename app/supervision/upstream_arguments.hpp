#pragma once
// Bring your own server: what the console's command line says about the user's MCP servers (a
// stdio command after `--`, `--upstream NAME=...` specs, an mcp.json file), as the arguments that
// make the supervised prodmcp-server a gateway in front of them.
#include <QString>
#include <QStringList>

namespace prodmcp::console {

struct UpstreamChoice {
  QStringList command;    // a stdio server: program and arguments; empty for none
  QStringList upstreams;  // "NAME=COMMAND ARGS" or "NAME=URL", passed on as given
  QString mcp_json;       // an mcpServers file (Claude Desktop, Cursor, VS Code); empty for none

  bool empty() const { return command.isEmpty() && upstreams.isEmpty() && mcp_json.isEmpty(); }
};

// prodmcp-server arguments (--upstream ..., --mcp-json ...) for ServerLaunchOptions::extra_arguments.
QStringList upstream_arguments(UpstreamChoice const& choice);

// The upstream name for a stdio command, from its script or package ("python3 notes_server.py"
// gives "notes-server", "npx -y @modelcontextprotocol/server-memory" gives "server-memory"), else
// its program: [a-z0-9-], at most 32 characters; "app" when nothing is left.
QString upstream_name_for(QStringList const& command);

// `word` as one POSIX shell word in single quotes: the server splits --upstream commands like a
// shell (running nothing), so spaces, quotes and `;` in an argument stay in it.
QString shell_quoted(QString const& word);

}  // namespace prodmcp::console
