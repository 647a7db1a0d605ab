#pragma once
// Bring your server, in the window: what a person has (a command, a URL, or the mcp.json files
// Claude Desktop, Claude Code, Cursor and VS Code keep) as [upstreams.NAME] tables for the config
// document. The server's own parsers read them (the --upstream splitting, --mcp-json's reader), so
// the window and the command line agree on every case.
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

#include "config/loader.hpp"

namespace prodmcp::console {

struct UpstreamDraft {
  QString name;
  std::vector<config::FlagSetting> settings;  // upstreams.NAME.*, parsed and checked
  // "npx -y @modelcontextprotocol/server-memory" or the URL, for lists and previews.
  QString summary() const;
  bool remote() const;
};

// `program` and the shell words of `arguments` (quotes as a shell reads them), in `cwd` (empty:
// the gateway's), with `environment` lines NAME=VALUE. Nothing, and `error`, when something is wrong.
std::optional<UpstreamDraft> draft_from_command(QString const& name, QString const& program, QString const& arguments,
                                                QString const& cwd, QString const& environment, QString& error);
// A remote Streamable HTTP server, with `headers` lines "Name: value".
std::optional<UpstreamDraft> draft_from_url(QString const& name, QString const& url, QString const& headers,
                                            QString& error);
// Every server of an mcpServers (or VS Code "servers") file.
QList<UpstreamDraft> drafts_from_mcp_json(QString const& path, QString& error);

// The draft as a TOML table: "[upstreams.NAME]\ncommand = ...\n".
QString toml_table(UpstreamDraft const& draft);

struct McpJsonLocation {
  QString label;  // "Claude Desktop", "Cursor (this project)", ...
  QString path;
};
// The mcp.json files that exist where the tools keep them: under `home` (Claude Desktop, Cursor,
// Claude Code) and in `project` (.cursor/mcp.json, .vscode/mcp.json, .mcp.json).
QList<McpJsonLocation> mcp_json_locations(QString const& home, QString const& project);

}  // namespace prodmcp::console
