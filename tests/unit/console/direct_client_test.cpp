// The console's direct MCP client, on real servers: the tests' misbehaving stdio server (answers,
// a crash mid-call, a non-JSON line, a call that outlives its timeout and is cancelled) and
// prodmcp-server over Streamable HTTP with a session.
#include "mcp/direct_client.hpp"

#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace prodmcp::console;

namespace {

DirectTarget fake_upstream() {
  DirectTarget target;
  target.program = PRODMCP_FAKE_UPSTREAM_BINARY;
  return target;
}

// Opens `client` on `target`; the problem, empty when it opened.
QString open(DirectMcpClient& client, DirectTarget target) {
  std::optional<QString> problem;
  client.open(std::move(target), [&](QString why) { problem = why; });
  if (!QTest::qWaitFor([&] { return problem.has_value(); }, 40'000)) return "open never answered";
  return *problem;
}

McpAnswer call(DirectMcpClient& client, QString const& tool, QJsonObject arguments = {}) {
  std::optional<McpAnswer> answer;
  client.call_tool(tool, std::move(arguments), [&](McpAnswer got) { answer = std::move(got); });
  if (!QTest::qWaitFor([&] { return answer.has_value(); }, 30'000)) {
    McpAnswer none;
    none.problem = "never answered";
    return none;
  }
  return *answer;
}

QString text_of(McpAnswer const& answer) {
  return answer.result.value("content").toArray().first().toObject().value("text").toString();
}

}  // namespace

TEST(DirectMcpClient, StartsAStdioServerInitializesListsAndCallsIt) {
  DirectMcpClient client;
  auto target = fake_upstream();
  target.environment.insert("PRODMCP_DIRECT_TEST", "1");
  ASSERT_EQ(open(client, target), "");
  EXPECT_TRUE(client.is_open());
  EXPECT_GT(client.pid(), 0);
  EXPECT_FALSE(client.protocol_version().isEmpty());
  std::optional<QJsonArray> tools;
  client.list_tools([&](QJsonArray listed, QString problem) {
    EXPECT_EQ(problem, "");
    tools = listed;
  });
  ASSERT_TRUE(QTest::qWaitFor([&] { return tools.has_value(); }, 30'000));
  EXPECT_EQ(tools->size(), 11);
  auto const echoed = call(client, "echo", {{"message", "straight through"}});
  ASSERT_TRUE(echoed.ok) << echoed.problem.toStdString();
  EXPECT_EQ(text_of(echoed), "straight through");
  EXPECT_EQ(echoed.http_status, 0);
  auto const unknown = call(client, "no_such_tool");
  EXPECT_FALSE(unknown.ok);
  EXPECT_EQ(unknown.error.value("code").toInt(), -32602);
  EXPECT_TRUE(unknown.problem.contains("unknown tool")) << unknown.problem.toStdString();
  // A line on stdout that is not JSON-RPC is skipped, said where people look, and the answer after it still counts.
  auto const garbage = call(client, "garbage");
  EXPECT_TRUE(garbage.ok) << garbage.problem.toStdString();
  EXPECT_TRUE(client.stderr_tail().join('\n').contains("[stdout, not JSON-RPC]")) << client.stderr_tail().join('\n').toStdString();
  client.close();
  EXPECT_FALSE(client.is_open());
  auto const after = call(client, "echo");
  EXPECT_FALSE(after.ok);
  EXPECT_EQ(after.problem, "not connected to the server");
}

TEST(DirectMcpClient, AServerThatDiesFailsItsCallsAtOnceAndSaysHow) {
  DirectMcpClient client;
  ASSERT_EQ(open(client, fake_upstream()), "");
  QString closed_why;
  QObject::connect(&client, &DirectMcpClient::closed, [&](QString const& why) { closed_why = why; });
  auto const crashed = call(client, "crash");
  EXPECT_FALSE(crashed.ok);
  EXPECT_FALSE(crashed.timed_out);
  EXPECT_TRUE(crashed.problem.contains("exited with code 3")) << crashed.problem.toStdString();
  EXPECT_TRUE(QTest::qWaitFor([&] { return !closed_why.isEmpty(); }, 10'000));
  EXPECT_FALSE(client.is_open());
  EXPECT_EQ(client.pid(), 0);
  // Nothing restarts it: every later call fails, fast.
  auto const later = call(client, "echo");
  EXPECT_FALSE(later.ok);
  EXPECT_LT(later.latency_ms, 1000);
}

TEST(DirectMcpClient, ACallPastItsTimeoutIsCancelledAtTheServer) {
  DirectMcpClient client;
  client.set_timeout_ms(300);
  ASSERT_EQ(open(client, fake_upstream()), "");
  auto const slow = call(client, "slow", {{"ms", 5000}});
  EXPECT_FALSE(slow.ok);
  EXPECT_TRUE(slow.timed_out);
  EXPECT_TRUE(slow.problem.contains("no answer within 0.3 s")) << slow.problem.toStdString();
  // The fake reports on stderr the notifications/cancelled it read.
  EXPECT_TRUE(QTest::qWaitFor([&] { return client.stderr_tail().join('\n').contains("cancel"); }, 10'000))
      << client.stderr_tail().join('\n').toStdString();
  client.set_timeout_ms(10'000);
  auto const next = call(client, "echo", {{"message", "still here"}});
  EXPECT_TRUE(next.ok) << next.problem.toStdString();
}

TEST(DirectMcpClient, AProgramThatCannotStartIsSaidSo) {
  DirectMcpClient client;
  DirectTarget target;
  target.program = "/nonexistent/prototype-server";
  auto const problem = open(client, target);
  EXPECT_TRUE(problem.contains("could not start /nonexistent/prototype-server")) << problem.toStdString();
  EXPECT_FALSE(client.is_open());
  target.program = PRODMCP_FAKE_UPSTREAM_BINARY;
  target.arguments = {"--fail-at-start"};
  auto const failed = open(client, target);
  EXPECT_TRUE(failed.contains("the server exited with code 4")) << failed.toStdString();
  EXPECT_TRUE(failed.contains("cannot open the notes directory")) << failed.toStdString();
}

TEST(DirectMcpClient, OpensASessionWithAStreamableHttpServer) {
  QTemporaryDir dir;
  auto const ports_file = dir.filePath("ports.json");
  QProcess server;
  auto environment = QProcessEnvironment::systemEnvironment();
  environment.insert("REDIS_URL", "");  // its in-memory store: no Redis here
  server.setProcessEnvironment(environment);
  server.start(PRODMCP_SERVER_BINARY, {"serve", "--listen", "127.0.0.1:0", "--admin-listen", "", "--ports-file",
                                       ports_file, "--conformance-fixtures"});
  ASSERT_TRUE(QTest::qWaitFor([&] { return QFile::exists(ports_file); }, 30'000));
  QFile file(ports_file);
  ASSERT_TRUE(file.open(QIODevice::ReadOnly));
  auto const port = QJsonDocument::fromJson(file.readAll()).object().value("mcp").toInt();
  ASSERT_GT(port, 0);
  DirectMcpClient client;
  DirectTarget target;
  target.url = QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(port));
  target.headers.append(qMakePair(QByteArray("X-Prototype-Test"), QByteArray("1")));
  ASSERT_EQ(open(client, target), "");
  EXPECT_EQ(client.protocol_version(), DirectMcpClient::kProtocolVersion);
  EXPECT_EQ(client.pid(), 0);
  auto const answer = call(client, "test_simple_text");
  ASSERT_TRUE(answer.ok) << answer.problem.toStdString();
  EXPECT_EQ(answer.http_status, 200);
  EXPECT_FALSE(answer.correlation_id.isEmpty());
  auto const failing = call(client, "test_error_handling");
  EXPECT_TRUE(failing.ok);
  EXPECT_TRUE(failing.result.value("isError").toBool());
  client.close();
  server.terminate();
  server.waitForFinished(10'000);
}
