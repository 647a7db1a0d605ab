// Add server, without a window: a command, a URL or an mcp.json becomes [upstreams.NAME] tables
// that the server's own loader reads back as the same settings.
#include "config_editor/upstream_tables.hpp"

#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>

#include "config_editor/config_document.hpp"

using namespace prodmcp::console;

namespace {

void write(QString const& path, QByteArray const& text) {
  QDir().mkpath(QFileInfo(path).absolutePath());
  QFile file(path);
  ASSERT_TRUE(file.open(QIODevice::WriteOnly));
  file.write(text);
}

// The value the document's effective config (the server's loader) has for `key`.
QJsonValue effective(ConfigDocument const& document, QString const& key) {
  for (auto const& entry : document.effective().value("keys").toArray())
    if (entry.toObject().value("key").toString() == key) return entry.toObject().value("value");
  return {};
}

}  // namespace

TEST(UpstreamTables, ACommandKeepsItsWordsAsAShellWouldSplitThem) {
  QString error;
  auto const draft = draft_from_command("notes", "/opt/my tools/python3", R"(server.py --db 'my notes.db' "a;b")",
                                        "/srv/notes", "NOTES_TOKEN=${TOKEN}\n\n LEVEL = debug ", error);
  ASSERT_TRUE(draft) << error.toStdString();
  EXPECT_EQ(draft->summary(), "/opt/my tools/python3 server.py --db my notes.db a;b");
  EXPECT_FALSE(draft->remote());
  auto const table = toml_table(*draft);
  EXPECT_TRUE(table.startsWith("[upstreams.notes]\ncommand = \"/opt/my tools/python3\"\n")) << table.toStdString();

  ConfigDocument document;
  document.set_text("[server]\nlisten = \"127.0.0.1:8080\"");
  ASSERT_TRUE(document.add_upstream(*draft).isEmpty());
  EXPECT_EQ(document.error_count(), 0) << document.text().toStdString();
  EXPECT_TRUE(document.text().startsWith("[server]\nlisten = \"127.0.0.1:8080\"\n\n[upstreams.notes]\n"));
  EXPECT_EQ(effective(document, "upstreams.notes.command").toString(), "/opt/my tools/python3");
  EXPECT_EQ(effective(document, "upstreams.notes.args").toArray(),
            (QJsonArray{"server.py", "--db", "my notes.db", "a;b"}));
  EXPECT_EQ(effective(document, "upstreams.notes.cwd").toString(), "/srv/notes");
  // The same name twice is refused, and the text stays.
  auto const before = document.text();
  EXPECT_TRUE(document.add_upstream(*draft).contains("already has an upstream called \"notes\""));
  EXPECT_EQ(document.text(), before);
}

TEST(UpstreamTables, WhatCannotBeAnUpstreamSaysWhatToFix) {
  QString error;
  EXPECT_FALSE(draft_from_command("Notes", "python3", "x.py", {}, {}, error));
  EXPECT_TRUE(error.contains("lowercase")) << error.toStdString();
  EXPECT_FALSE(draft_from_command("notes", "  ", "x.py", {}, {}, error));
  EXPECT_TRUE(error.contains("program")) << error.toStdString();
  EXPECT_FALSE(draft_from_command("notes", "python3", "x.py $(rm -rf ~)", {}, {}, error));
  EXPECT_TRUE(error.contains("$(...)")) << error.toStdString();
  EXPECT_FALSE(draft_from_command("notes", "python3", "'unclosed", {}, {}, error));
  EXPECT_FALSE(draft_from_command("notes", "python3", "x.py", {}, "JUST_A_NAME", error));
  EXPECT_TRUE(error.contains("NAME=VALUE")) << error.toStdString();
  EXPECT_FALSE(draft_from_url("search", "ftp://example.com", {}, error));
  EXPECT_TRUE(error.contains("http://")) << error.toStdString();
  EXPECT_FALSE(draft_from_url("search", "https://example.com/mcp", "Authorization Bearer x", error));
  EXPECT_TRUE(error.contains("NAME:VALUE")) << error.toStdString();
}

TEST(UpstreamTables, AUrlWithHeadersIsARemoteUpstream) {
  QString error;
  auto const draft = draft_from_url("search", " https://search.example.com/mcp ",
                                    "Authorization: Bearer ${SEARCH_TOKEN}\nX-Team: ops", error);
  ASSERT_TRUE(draft) << error.toStdString();
  EXPECT_TRUE(draft->remote());
  EXPECT_EQ(toml_table(*draft).toStdString(), "[upstreams.search]\nurl = \"https://search.example.com/mcp\"\nheaders = "
                                "{ \"Authorization\" = \"Bearer ${SEARCH_TOKEN}\", \"X-Team\" = \"ops\" }\n");
  ConfigDocument document;
  ASSERT_TRUE(document.add_upstream(*draft).isEmpty());
  EXPECT_EQ(document.error_count(), 0) << document.text().toStdString();
  EXPECT_EQ(effective(document, "upstreams.search.url").toString(), "https://search.example.com/mcp");
}

TEST(UpstreamTables, ImportsTheMcpJsonFilesWhereTheClientsKeepThem) {
  QTemporaryDir home, project;
  write(home.filePath(".config/Claude/claude_desktop_config.json"),
        R"({"mcpServers":{"Memory":{"command":"npx","args":["-y","@modelcontextprotocol/server-memory"]},)"
        R"("docs":{"url":"http://127.0.0.1:8000/mcp"}}})");
  write(project.filePath(".vscode/mcp.json"),
        R"({"servers":{"fs":{"type":"stdio","command":"npx","args":["fs"],"env":{"ROOT":"/srv"}}},"inputs":[]})");
  write(project.filePath(".cursor/mcp.json"), "{not json");
  auto const found = mcp_json_locations(home.path(), project.path());
  ASSERT_EQ(found.size(), 3);
  EXPECT_EQ(found[0].label, "Claude Desktop");
  EXPECT_EQ(found[1].label, "Cursor (this project)");
  EXPECT_EQ(found[2].label, "VS Code (this project)");

  QString error;
  auto const claude = drafts_from_mcp_json(found[0].path, error);
  ASSERT_EQ(claude.size(), 2) << error.toStdString();
  EXPECT_EQ(claude[0].name, "memory");  // as the server names it: lowercase
  EXPECT_EQ(claude[0].summary(), "npx -y @modelcontextprotocol/server-memory");
  EXPECT_TRUE(claude[1].remote());
  auto const vscode = drafts_from_mcp_json(found[2].path, error);
  ASSERT_EQ(vscode.size(), 1) << error.toStdString();
  EXPECT_EQ(toml_table(vscode[0]).toStdString(), "[upstreams.fs]\ncommand = \"npx\"\nargs = [\"fs\"]\nenv = { \"ROOT\" = \"/srv\" }\n");

  EXPECT_TRUE(drafts_from_mcp_json(found[1].path, error).isEmpty());
  EXPECT_TRUE(error.contains("not valid JSON")) << error.toStdString();
  EXPECT_TRUE(drafts_from_mcp_json(project.filePath("missing.json"), error).isEmpty());
  EXPECT_TRUE(error.contains("cannot read")) << error.toStdString();

  ConfigDocument document;
  for (auto const& draft : claude + vscode) ASSERT_TRUE(document.add_upstream(draft).isEmpty());
  EXPECT_EQ(document.error_count(), 0) << document.text().toStdString();
  EXPECT_EQ(effective(document, "upstreams.fs.env").toObject().value("ROOT").toString(), "/srv");
}
