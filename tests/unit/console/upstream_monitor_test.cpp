// The Upstreams page's model: /upstreams answers parsed (and broken ones refused with a reason),
// state changes and restarts between polls signalled, traffic joined from the scraped metrics.
#include "upstreams/upstream_monitor.hpp"

#include <gtest/gtest.h>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>

#include "metrics/exposition_parser.hpp"

using namespace prodmcp::console;

namespace {

// Answers every request with the body `next` holds at that moment (HTTP/1.0, one per connection).
class CannedAdminServer {
 public:
  CannedAdminServer() {
    EXPECT_TRUE(server_.listen(QHostAddress::LocalHost));
    QObject::connect(&server_, &QTcpServer::newConnection, [this] {
      auto* socket = server_.nextPendingConnection();
      QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
        auto const request = socket->readAll();
        paths << QString::fromLatin1(request.split(' ').value(1));
        bodies << request.mid(request.indexOf("\r\n\r\n") + 4);
        socket->write("HTTP/1.0 " + status + "\r\nContent-Type: application/json\r\nContent-Length: " +
                      QByteArray::number(next.size()) + "\r\n\r\n" + next);
        socket->disconnectFromHost();
      });
    });
  }
  QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server_.serverPort())); }

  QByteArray status = "200 OK";
  QByteArray next;
  QStringList paths;
  QList<QByteArray> bodies;

 private:
  QTcpServer server_;
};

QByteArray upstream(QByteArray const& state, QByteArray const& detail, int restarts, QByteArray const& breaker = "closed",
                    QByteArray const& exit = {}) {
  return R"({"name":"notes","state":")" + state + R"(","detail":")" + detail +
         R"(","transport":"stdio","target":"python3","sessions":"per-client","required":true,"restarts":)" +
         QByteArray::number(restarts) + R"(,"breaker":")" + breaker +
         R"(","in_flight":0,"process":{"pid":4242},"client_children":[{"session":"ab","alive":true,"pid":4243},)"
         R"({"session":"cd","alive":false}],"tools":["notes__add"],"offered":{"tools":1,"prompts":0,"resources":2,)"
         R"("resource_templates":1})" + (exit.isEmpty() ? QByteArray() : R"(,"last_exit":)" + exit) + "}";
}

QByteArray answer(QByteArray const& one) { return R"({"upstreams":[)" + one + "]}"; }

QString cell(UpstreamMonitor const& monitor, int column) { return monitor.index(0, column).data().toString(); }

}  // namespace

TEST(UpstreamStatus, ACrashLoopAndAnOpenBreakerAreStatesOfTheirOwn) {
  UpstreamStatus status;
  status.state = "ready";
  EXPECT_EQ(status.display_state(), UpstreamState::kReady);
  status.breaker = "open";
  EXPECT_EQ(status.display_state(), UpstreamState::kBreakerOpen);
  status.state = "failed";
  status.detail = "crash loop: 5 runs in a row ended within 60 s";
  EXPECT_EQ(status.display_state(), UpstreamState::kCrashLoop);
  status.detail = "it exited; restart = \"never\" does not start it again";
  EXPECT_EQ(status.display_state(), UpstreamState::kDown);
  status.state = "stopped";
  EXPECT_EQ(status.display_state(), UpstreamState::kDown);
  status.state = "restarting";
  EXPECT_EQ(status.display_state(), UpstreamState::kRestarting);
}

TEST(UpstreamStatus, ParsesAnUpstreamAndRefusesWhatIsNotAnAnswer) {
  QString error;
  auto const parsed = parse_upstreams(answer(upstream(
      "ready", "serving as notes", 2, "closed",
      R"({"description":"exit code 3","failed":true,"at_unix_ms":1700000000000,"stderr_tail":["a | b","gone"]})")), error);
  ASSERT_EQ(parsed.size(), 1) << error.toStdString();
  auto const& notes = parsed.first();
  EXPECT_EQ(notes.pid, 4242);
  EXPECT_EQ(notes.client_children, 1);  // the one alive
  EXPECT_EQ(notes.resource_count, 3);
  EXPECT_EQ(notes.last_exit.stderr_tail, (QStringList{"a | b", "gone"}));
  EXPECT_EQ(notes.last_exit_summary(), "exit code 3 · gone");

  for (QByteArray const& bad : {QByteArray("not json"), QByteArray(R"({"upstream":[]})"), QByteArray("[1,2]")}) {
    error.clear();
    EXPECT_TRUE(parse_upstreams(bad, error).isEmpty());
    EXPECT_TRUE(error.startsWith("not a /upstreams answer")) << error.toStdString();
  }
  error.clear();
  // Entries that are not upstreams (no name, not objects) are skipped, the rest kept.
  EXPECT_EQ(parse_upstreams(R"({"upstreams":[1,{"state":"ready"},{"name":"x"}]})", error).size(), 1);
  EXPECT_TRUE(error.isEmpty());
}

TEST(UpstreamMonitor, SignalsStateChangesAndRestartsBetweenPolls) {
  CannedAdminServer server;
  metrics::SeriesStore store;
  UpstreamMonitor monitor(store);
  QAbstractItemModelTester tester(&monitor, QAbstractItemModelTester::FailureReportingMode::Fatal);
  QSignalSpy updated(&monitor, &UpstreamMonitor::updated);
  QSignalSpy changed(&monitor, &UpstreamMonitor::state_changed);
  QSignalSpy restarted(&monitor, &UpstreamMonitor::restarted);
  monitor.set_interval_ms(60'000);  // polled by hand

  server.next = answer(upstream("ready", "serving as notes", 0));
  monitor.set_admin_url(server.url());
  ASSERT_TRUE(updated.wait(10'000));
  ASSERT_EQ(monitor.rowCount(), 1);
  EXPECT_EQ(server.paths.last(), "/upstreams");
  EXPECT_EQ(cell(monitor, UpstreamMonitor::kState), "ready");
  EXPECT_EQ(cell(monitor, UpstreamMonitor::kProcess), "pid 4242 + 1 child of client sessions");
  EXPECT_EQ(cell(monitor, UpstreamMonitor::kLastExit), "–");
  EXPECT_EQ(cell(monitor, UpstreamMonitor::kCallsPerSecond), "–");
  EXPECT_TRUE(changed.isEmpty());

  // Crashed and restarted between two polls: no state change seen, but the restart is.
  server.next = answer(upstream("ready", "serving as notes", 1, "open",
                                R"json({"description":"signal 9 (Killed)","failed":true,"stderr_tail":[]})json"));
  monitor.poll_now();
  ASSERT_TRUE(updated.wait(10'000));
  ASSERT_EQ(restarted.size(), 1);
  EXPECT_EQ(restarted.first().at(2).toString(), "signal 9 (Killed)");
  ASSERT_EQ(changed.size(), 1);  // the breaker opened
  EXPECT_EQ(changed.first().at(2).value<UpstreamState>(), UpstreamState::kBreakerOpen);
  EXPECT_EQ(cell(monitor, UpstreamMonitor::kState), "breaker open");

  server.next = answer(upstream("failed", "crash loop: 5 runs", 1));
  monitor.poll_now();
  ASSERT_TRUE(updated.wait(10'000));
  ASSERT_EQ(changed.size(), 2);
  EXPECT_EQ(changed.last().at(2).value<UpstreamState>(), UpstreamState::kCrashLoop);
  EXPECT_EQ(monitor.index(0, 0).data(UpstreamMonitor::kStateRole).toInt(), int(UpstreamState::kCrashLoop));

  // A broken answer keeps the rows as last seen and says why.
  server.next = "<html>";
  monitor.poll_now();
  ASSERT_TRUE(updated.wait(10'000));
  EXPECT_TRUE(monitor.error().startsWith("not a /upstreams answer")) << monitor.error().toStdString();
  EXPECT_EQ(monitor.rowCount(), 1);
  EXPECT_TRUE(monitor.stale());
  server.status = "401 Unauthorized";
  server.next = R"({"error":"missing bearer token"})";
  monitor.poll_now();
  ASSERT_TRUE(updated.wait(10'000));
  EXPECT_TRUE(monitor.error().contains("PRODMCP_ADMIN_TOKEN")) << monitor.error().toStdString();

  // No upstreams any more: the row goes.
  server.status = "200 OK";
  server.next = R"({"upstreams":[]})";
  monitor.poll_now();
  ASSERT_TRUE(updated.wait(10'000));
  EXPECT_EQ(monitor.rowCount(), 0);
  EXPECT_TRUE(monitor.error().isEmpty());
}

TEST(UpstreamMonitor, RestartPostsTheNameAndReportsARefusal) {
  CannedAdminServer server;
  metrics::SeriesStore store;
  UpstreamMonitor monitor(store);
  monitor.set_interval_ms(60'000);
  QSignalSpy updated(&monitor, &UpstreamMonitor::updated);
  QSignalSpy answered(&monitor, &UpstreamMonitor::restart_answered);
  server.next = answer(upstream("ready", "serving", 0));
  monitor.set_admin_url(server.url());
  ASSERT_TRUE(updated.wait(10'000));

  server.status = "404 Not Found";
  server.next = R"({"error":"no upstream \"nope\"","upstreams":["notes"]})";
  monitor.restart("nope");
  ASSERT_TRUE(answered.wait(10'000));
  EXPECT_EQ(server.paths.last(), "/upstreams/restart");
  EXPECT_EQ(server.bodies.last(), R"({"upstream":"nope"})");
  EXPECT_FALSE(answered.first().at(1).toBool());
  EXPECT_EQ(answered.first().at(2).toString(), R"(no upstream "nope")");

  server.status = "202 Accepted";
  server.next = R"({"restarting":"notes"})";
  monitor.restart("notes");
  ASSERT_TRUE(answered.wait(10'000));
  EXPECT_TRUE(answered.last().at(1).toBool());
}

TEST(UpstreamMonitor, JoinsEachUpstreamsTrafficFromTheScrapedMetrics) {
  metrics::SeriesStore store;
  UpstreamMonitor monitor(store);
  // A scrape every 10 s: notes makes 5 calls a second, one in ten fails, each within 5 to 10 ms.
  auto scrape = [&](qint64 t_ms, int ok, int failed) {
    std::string text = "mcp_upstream_requests_total{upstream=\"notes\",method=\"tools/call\",status=\"ok\"} " +
                       std::to_string(ok) + "\nmcp_upstream_requests_total{upstream=\"notes\",method=\"tools/call\","
                       "status=\"failed\"} " + std::to_string(failed) + "\n";
    for (auto const& [le, count] : std::vector<std::pair<std::string, int>>{{"0.005", 0}, {"0.01", ok + failed}, {"+Inf", ok + failed}})
      text += "mcp_upstream_request_duration_seconds_bucket{upstream=\"notes\",le=\"" + le + "\"} " + std::to_string(count) + "\n";
    store.append_scrape(metrics::parse_exposition(text), t_ms);
  };
  for (int step = 0; step <= 6; ++step) scrape(1'000'000 + step * 10'000, step * 45, step * 5);
  monitor.refresh_traffic(1'060'000);
  auto const traffic = monitor.traffic("notes");
  EXPECT_NEAR(traffic.calls_per_second, 5.0, 1e-9);
  EXPECT_NEAR(traffic.error_ratio, 0.1, 1e-9);
  EXPECT_GT(traffic.p50_seconds, 0.005);
  EXPECT_LE(traffic.p95_seconds, 0.01);
  EXPECT_TRUE(std::isnan(monitor.traffic("other").calls_per_second));
}
