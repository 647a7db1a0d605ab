// The console facing a hostile or broken server: an endless log line, an endless /metrics body,
// a query nested past reason. Each is cut off with a message, and the console stays bounded.
#include <gtest/gtest.h>

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <optional>

#include "mcp/mcp_client.hpp"
#include "metrics/metrics_scraper.hpp"
#include "metrics/promql.hpp"
#include "metrics/series_store.hpp"
#include "net/line_splitter.hpp"

using namespace prodmcp::console;

namespace {

// Answers each request with a 200 whose chunked body of `fill` never ends. Chunks of 64 KiB for as
// long as the client reads, each when the last has gone out: with 1 MiB chunks, Qt's chunked reader
// under ASan, with two tests at once, sometimes took 35 to 60 s to deliver the first 2 MiB, and a
// test then failed on speed, not on the cap.
void answer_endlessly(QTcpServer& server, QByteArray const& content_type, char fill) {
  QObject::connect(&server, &QTcpServer::newConnection, [&server, content_type, fill] {
    auto* socket = server.nextPendingConnection();
    QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket, content_type, fill] {
      socket->readAll();
      if (socket->property("answering").toBool()) return;
      socket->setProperty("answering", true);
      socket->write("HTTP/1.1 200 OK\r\nContent-Type: " + content_type + "\r\nTransfer-Encoding: chunked\r\n\r\n");
      auto const chunk = QByteArray::number(1 << 16, 16) + "\r\n" + QByteArray(1 << 16, fill) + "\r\n";
      QObject::connect(socket, &QTcpSocket::bytesWritten, socket, [socket, chunk] {
        if (socket->state() == QAbstractSocket::ConnectedState && socket->bytesToWrite() < (1 << 18)) socket->write(chunk);
      });
      socket->write(chunk);
    });
  });
}

}  // namespace

TEST(LineSplitter, SplitsLinesAcrossChunksAndDropsCarriageReturns) {
  LineSplitter lines;
  EXPECT_TRUE(lines.feed("par").isEmpty());
  EXPECT_EQ(lines.feed("tial\r\nnext\nlast"), (QList<QByteArray>{"partial", "next"}));
  EXPECT_EQ(lines.take_rest(), "last");
  EXPECT_EQ(lines.take_rest(), "");
}

TEST(LineSplitter, CutsAnEndlessLineAndKeepsTheLinesAfterIt) {
  LineSplitter lines(1000);
  QList<QByteArray> got;
  for (int i = 0; i < 3000; ++i) got += lines.feed(QByteArray(1000, 'x'));  // 3 MB without a newline
  EXPECT_TRUE(got.isEmpty());
  got = lines.feed("tail\nafter\n");
  ASSERT_EQ(got.size(), 2);
  EXPECT_EQ(got[0], QByteArray(1000, 'x') + LineSplitter::cut_marker(3000 * 1000 + 4 - 1000));
  EXPECT_EQ(got[1], "after");
}

TEST(PromqlLimits, AQueryPastTwoThousandTokensIsRefusedNotRecursedInto) {
  std::string deep(5000, '(');
  deep += "1" + std::string(5000, ')');
  auto const nested = metrics::parse_promql(deep);
  ASSERT_FALSE(nested.ok());
  EXPECT_NE(nested.error->message.find("2000 tokens"), std::string::npos) << nested.error->message;
  std::string chain = "1";
  for (int i = 0; i < 3000; ++i) chain += " + 1";
  EXPECT_FALSE(metrics::parse_promql(chain).ok());
  EXPECT_TRUE(metrics::parse_promql("sum by (method) (rate(mcp_requests_total[1m])) > 0").ok());
}

// A /metrics that never ends: the scrape stops reading at the cap (32 MiB unless set) and reports it.
TEST(MetricsScraperLimits, AnEndlessMetricsBodyIsCutOffAndReported) {
  QTcpServer server;
  ASSERT_TRUE(server.listen(QHostAddress::LocalHost));
  answer_endlessly(server, "text/plain", '#');
  metrics::SeriesStore store;
  MetricsScraper scraper(store);
  // A small cap and a timeout no slow machine reaches: what is tested is the cap, not the speed.
  scraper.set_max_body_bytes(qint64{2} << 20);
  scraper.set_timeout_ms(60'000);
  QSignalSpy fetched(&scraper, &MetricsScraper::fetched);
  scraper.set_admin_url(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server.serverPort())));
  ASSERT_TRUE(fetched.wait(60'000));
  auto const error = fetched.first().at(2).toString();
  EXPECT_TRUE(error.contains("2 MiB")) << error.toStdString();
  EXPECT_TRUE(fetched.first().at(1).toByteArray().isEmpty());
}

// A server whose tools/list hands back the cursor it was given would be asked forever: the console
// stops at once and says why.
TEST(McpClientLimits, ListingStopsOnACursorThatDoesNotAdvance) {
  QTcpServer server;
  ASSERT_TRUE(server.listen(QHostAddress::LocalHost));
  int requests = 0;
  QObject::connect(&server, &QTcpServer::newConnection, [&] {
    auto* socket = server.nextPendingConnection();
    QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket, &requests] {
      auto const request = socket->readAll();
      if (!request.contains("\r\n\r\n")) return;  // the whole request arrives at once on loopback
      ++requests;
      QByteArray const body = R"({"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"t"}],"resources":[],)"
                              R"("resourceTemplates":[],"prompts":[],"nextCursor":"same"}})";
      socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                    QByteArray::number(body.size()) + "\r\n\r\n" + body);
    });
  });
  McpClient client;
  client.set_url(QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(server.serverPort())));
  std::optional<McpCatalog> catalog;
  client.list_all([&](McpCatalog result) { catalog = std::move(result); });
  for (int waited = 0; waited < 400 && !catalog; ++waited) QTest::qWait(25);
  ASSERT_TRUE(catalog);
  EXPECT_TRUE(catalog->problem.contains("does not advance")) << catalog->problem.toStdString();
  EXPECT_LE(requests, 8) << "two requests for each of the four lists";
}

// A tool call answered with an endless body: the client stops reading at its cap and says so.
TEST(McpClientLimits, AnEndlessAnswerIsCutOffAndReported) {
  QTcpServer server;
  ASSERT_TRUE(server.listen(QHostAddress::LocalHost));
  answer_endlessly(server, "application/json", ' ');
  McpClient client;
  client.set_url(QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(server.serverPort())));
  client.set_max_reply_bytes(qint64{1} << 20);
  client.set_timeout_ms(60'000);
  MessageLog log;
  client.set_message_log(&log);
  std::optional<McpAnswer> answer;
  client.call_tool("echo", {}, [&](McpAnswer result) { answer = std::move(result); });
  for (int waited = 0; waited < 2400 && !answer; ++waited) QTest::qWait(25);
  ASSERT_TRUE(answer);
  EXPECT_FALSE(answer->ok);
  EXPECT_TRUE(answer->problem.contains("1 MiB")) << answer->problem.toStdString();
  // The protocol view keeps what was sent and a bounded part of what came.
  ASSERT_EQ(log.exchanges().size(), 1u);
  EXPECT_TRUE(log.exchanges().front().request.contains("\"tools/call\""));
  EXPECT_LE(log.exchanges().front().response.size(), MessageLog::kMaxBodyBytes + 64);
}

// Found by fuzzing: a range like [399999999y] overflowed the milliseconds it was summed into.
TEST(PromqlLimits, ARangeLongerThanTenYearsIsRefusedNotOverflowed) {
  auto const parsed = metrics::parse_promql("rate(mcp_requests_total[399999999y])");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error->message.find("ten years"), std::string::npos) << parsed.error->message;
  EXPECT_TRUE(metrics::parse_promql("rate(mcp_requests_total[1h30m])").ok());
}
