// Ship it: the bundle for a gateway in front of a stdio script and a remote server, judged by the
// server itself (check-config under the production profile, print-config reading it back).
#include "ship/deployment_bundle.hpp"

#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>

using namespace prodmcp::console;

namespace {

struct Run {
  int code = -1;
  QByteArray out;
};

Run server(QStringList const& arguments, QProcessEnvironment const& environment = QProcessEnvironment()) {
  QProcess process;
  process.setProcessEnvironment(environment.isEmpty() ? QProcessEnvironment::systemEnvironment() : environment);
  process.start(PRODMCP_SERVER_BINARY, arguments);
  process.waitForFinished(30'000);
  return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
          process.readAllStandardOutput() + process.readAllStandardError()};
}

QJsonValue value_of(QJsonObject const& config, QString const& key) {
  for (auto const& entry : config.value("keys").toArray())
    if (entry.toObject().value("key").toString() == key) return entry.toObject().value("value");
  return {};
}

}  // namespace

TEST(DeploymentBundle, CarriesTheUpstreamsIntoAProductionConfigTheServerAccepts) {
  QTemporaryDir work;
  auto const script = work.filePath("notes_server.py");
  QFile(script).open(QIODevice::WriteOnly);
  // What the console's server runs with, as its GET /config shows it (secrets masked).
  auto const running = server({"--upstream", "notes=python3 " + script, "--set", "upstreams.notes.sessions=shared",
                               "--upstream", "search=https://search.example.com/mcp", "--set",
                               "upstreams.search.headers=Authorization=Bearer abc", "print-config", "--format", "json"});
  ASSERT_EQ(running.code, 0) << running.out.toStdString();
  auto const running_config = QJsonDocument::fromJson(running.out).object();
  ASSERT_FALSE(running.out.contains("Bearer abc"));

  auto const bundle = make_bundle({running_config, "0.1.0", "client-token-123", "admin-token-456"});
  EXPECT_EQ(bundle.upstreams, (QStringList{"notes", "search"}));
  EXPECT_EQ(bundle.secret_variables, QStringList{"PRODMCP_UPSTREAM_SEARCH_AUTHORIZATION"});
  EXPECT_EQ(bundle.local_paths, QStringList{script});
  auto const config = QString::fromUtf8(bundle.files.value("prodmcp.toml"));
  EXPECT_TRUE(config.contains("\n[upstreams.notes]\ncommand = \"python3\"\n")) << config.toStdString();
  EXPECT_TRUE(config.contains("headers = { \"Authorization\" = \"${PRODMCP_UPSTREAM_SEARCH_AUTHORIZATION}\" }"))
      << config.toStdString();
  EXPECT_FALSE(config.contains("client-token-123"));
  EXPECT_TRUE(bundle.files.value("Dockerfile").contains("--no-install-recommends python3"));
  EXPECT_TRUE(bundle.files.value("Dockerfile").contains("FROM prodmcp-server:0.1.0"));
  EXPECT_TRUE(bundle.files.value("compose.override.yaml")
                  .contains("PRODMCP_UPSTREAM_SEARCH_AUTHORIZATION: ${PRODMCP_UPSTREAM_SEARCH_AUTHORIZATION:?"));
  EXPECT_TRUE(bundle.files.value("configmap.yaml").contains("  prodmcp.toml: |\n    [server]\n"));
  EXPECT_TRUE(bundle.files.value("README.md").contains(script.toUtf8()));

  auto const folder = work.filePath("bundle");
  QString error;
  ASSERT_TRUE(write_bundle(bundle, folder, error)) << error.toStdString();
  auto const permissions = QFile::permissions(QDir(folder).filePath(kTokensFile));
  EXPECT_TRUE(permissions & QFile::ReadOwner);
  EXPECT_FALSE(permissions & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther));
  EXPECT_FALSE(write_bundle(bundle, folder, error));  // nothing is overwritten
  EXPECT_TRUE(error.contains("pick an empty folder")) << error.toStdString();

  // The server accepts it in production, and reads the same upstreams back.
  auto environment = QProcessEnvironment::systemEnvironment();
  environment.remove("ENVIRONMENT");
  environment.insert("PRODMCP_UPSTREAM_SEARCH_AUTHORIZATION", "Bearer abc");
  auto const path = QDir(folder).filePath("prodmcp.toml");
  auto const checked = server({"--profile", "production", "check-config", path}, environment);
  EXPECT_EQ(checked.code, 0) << checked.out.toStdString();
  auto const read_back = server({"--profile", "production", "--config", path, "print-config", "--format", "json"}, environment);
  ASSERT_EQ(read_back.code, 0) << read_back.out.toStdString();
  auto const deployed = QJsonDocument::fromJson(read_back.out).object();
  for (auto const* key : {"upstreams.notes.command", "upstreams.notes.args", "upstreams.notes.sessions",
                          "upstreams.search.url"})
    EXPECT_EQ(value_of(deployed, key), value_of(running_config, key)) << key;
  EXPECT_EQ(value_of(deployed, "auth.enabled").toBool(), true);
}

TEST(DeploymentBundle, WithoutUpstreamsItShipsTheBuiltInServer) {
  auto const running = server({"print-config", "--format", "json"});
  ASSERT_EQ(running.code, 0);
  auto const bundle = make_bundle({QJsonDocument::fromJson(running.out).object(), "0.1.0", "c", "a"});
  EXPECT_TRUE(bundle.upstreams.isEmpty());
  EXPECT_FALSE(bundle.files.value("prodmcp.toml").contains("[upstreams"));
  EXPECT_FALSE(bundle.files.value("Dockerfile").contains("apt-get"));
  EXPECT_TRUE(bundle.files.value("README.md").contains("its built-in tools"));
}
