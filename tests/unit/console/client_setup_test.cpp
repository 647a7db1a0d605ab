// "Connect a client": each host's text names the server's URL, asks a token only when the server
// does, and the mcp.json ones read back, through the server's own --mcp-json reader, as that URL.
#include "connect/client_setup.hpp"

#include <gtest/gtest.h>

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include "config_editor/upstream_tables.hpp"

using namespace prodmcp::console;

namespace {

QUrl const kUrl("http://127.0.0.1:8080/mcp");

ClientSetup setup_for(QList<ClientSetup> const& setups, QString const& client) {
  for (auto const& setup : setups)
    if (setup.client == client) return setup;
  return {};
}

// The text as an mcp.json file, read as the server reads --mcp-json.
QList<UpstreamDraft> read_back(QString const& text, QString& error) {
  QTemporaryDir dir;
  QFile file(dir.filePath("mcp.json"));
  file.open(QIODevice::WriteOnly);
  file.write(text.toUtf8());
  file.close();
  return drafts_from_mcp_json(file.fileName(), error);
}

}  // namespace

TEST(ClientSetup, EveryHostGetsTheUrlAndJsonThatParses) {
  auto const setups = client_setups(kUrl, false);
  ASSERT_EQ(setups.size(), 5);
  for (auto const& setup : setups) {
    EXPECT_TRUE(setup.text.contains(kUrl.toString())) << setup.client.toStdString();
    EXPECT_FALSE(setup.text.contains("Authorization")) << setup.client.toStdString() << ": no token asked";
    EXPECT_FALSE(setup.where.isEmpty());
    if (setup.json) {
      QJsonParseError error{};
      QJsonDocument::fromJson(setup.text.toUtf8(), &error);
      EXPECT_EQ(error.error, QJsonParseError::NoError) << setup.client.toStdString();
    }
  }
  EXPECT_EQ(setup_for(setups, "Claude Code").text, "claude mcp add --transport http prodmcp http://127.0.0.1:8080/mcp");
  EXPECT_TRUE(setup_for(setups, "MCP Inspector").text.startsWith("npx @modelcontextprotocol/inspector --cli http://127.0.0.1:8080/mcp"));
}

TEST(ClientSetup, CursorAndVsCodeFilesReadBackAsTheServer) {
  for (bool const token : {false, true}) {
    auto const setups = client_setups(kUrl, token);
    for (auto const* client : {"Cursor", "VS Code"}) {
      QString error;
      auto const drafts = read_back(setup_for(setups, client).text, error);
      ASSERT_EQ(drafts.size(), 1) << client << ": " << error.toStdString();
      EXPECT_EQ(drafts.first().name, "prodmcp");
      EXPECT_TRUE(drafts.first().remote()) << client;
      EXPECT_EQ(drafts.first().summary(), kUrl.toString()) << client;
    }
    QString error;
    auto const desktop = read_back(setup_for(setups, "Claude Desktop").text, error);
    ASSERT_EQ(desktop.size(), 1) << error.toStdString();
    EXPECT_TRUE(desktop.first().summary().startsWith("npx -y mcp-remote http://127.0.0.1:8080/mcp"))
        << desktop.first().summary().toStdString();
  }
}

TEST(ClientSetup, AServerWithAuthGetsAPlaceholderTokenNeverARealOne) {
  auto const setups = client_setups(kUrl, true);
  EXPECT_TRUE(setup_for(setups, "Cursor").text.contains("\"Authorization\": \"Bearer YOUR_TOKEN\""));
  EXPECT_TRUE(setup_for(setups, "Claude Code").text.endsWith("--header \"Authorization: Bearer YOUR_TOKEN\""));
  EXPECT_TRUE(setup_for(setups, "MCP Inspector").text.endsWith("--header \"Authorization: Bearer YOUR_TOKEN\""));
  // VS Code asks for it once and keeps it secret.
  auto const vscode = QJsonDocument::fromJson(setup_for(setups, "VS Code").text.toUtf8()).object();
  EXPECT_EQ(vscode["servers"]["prodmcp"]["headers"]["Authorization"].toString(), "Bearer ${input:prodmcp-token}");
  EXPECT_TRUE(vscode["inputs"][0]["password"].toBool());
  auto const desktop = QJsonDocument::fromJson(setup_for(setups, "Claude Desktop").text.toUtf8()).object();
  EXPECT_EQ(desktop["mcpServers"]["prodmcp"]["env"]["PRODMCP_AUTH"].toString(), "Bearer YOUR_TOKEN");
}
