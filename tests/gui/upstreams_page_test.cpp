// The Upstreams page on a real gateway: the console starts prodmcp-server in front of the tests'
// fake stdio MCP server and the fixtures server, and the page follows a crash, the gateway's
// restart, a restart asked from the page, and leads to the upstream's log lines.
#include <signal.h>

#include <QtTest>

#include "demo/load_generator.hpp"
#include "logs_page.hpp"
#include "main_window.hpp"
#include "upstreams_page.hpp"

using namespace prodmcp::console;

namespace {

// With `by_name` the upstreams' programs are found on PATH (for screenshots without build paths).
ConsoleOptions gateway_options(bool by_name = false) {
  ConsoleOptions options;
  options.launch.binary = PRODMCP_SERVER_BINARY;
  options.health_interval_ms = 300;
  QFileInfo const fake(PRODMCP_FAKE_UPSTREAM_BINARY), server(PRODMCP_SERVER_BINARY);
  if (by_name)
    qputenv("PATH", (fake.absolutePath() + ':' + server.absolutePath() + ':' + qEnvironmentVariable("PATH")).toLocal8Bit());
  options.launch.extra_arguments = {
      "--upstream", "fake=" + (by_name ? fake.fileName() : fake.filePath()),
      "--upstream", QStringLiteral("fx=%1 --stdio --conformance-fixtures").arg(by_name ? server.fileName() : server.filePath()),
      "--set", "upstreams.fake.sessions=shared",
      "--set", "upstreams.fake.restart_backoff_ms=300",
      "--set", "rate_limit.requests_per_minute=6000"};
  return options;
}

QString cell(UpstreamMonitor const& monitor, QString const& name, int column) {
  for (int row = 0; row < monitor.rowCount(); ++row)
    if (monitor.index(row, UpstreamMonitor::kName).data().toString() == name)
      return monitor.index(row, column).data().toString();
  return {};
}

bool both_ready(UpstreamMonitor const& monitor) {
  return cell(monitor, "fake", UpstreamMonitor::kState) == "ready" && cell(monitor, "fx", UpstreamMonitor::kState) == "ready";
}

// The console's window on the Upstreams page, supervising the gateway of gateway_options().
struct ConsoleOnUpstreams {
  explicit ConsoleOnUpstreams(bool by_name = false) : session(gateway_options(by_name)), window(session) {
    window.resize(1280, 800);
    window.show();
    session.begin();
    window.show_page("Upstreams");
  }
  ConsoleSession session;
  MainWindow window;
};

bool timeline_has(ConsoleSession& session, QString const& kind, QString const& text = {}) {
  for (auto const& event : session.events().events())
    if (event.kind == kind && event.message.contains(text)) return true;
  return false;
}

}  // namespace

class UpstreamsPageTest : public QObject {
  Q_OBJECT
 private slots:
  void followsACrashTheGatewaysRestartAndOneAskedFor() {
    ConsoleOnUpstreams console;
    auto& session = console.session;
    auto& monitor = session.upstreams();
    auto* page = console.window.upstreams_page();
    QTRY_VERIFY_WITH_TIMEOUT(both_ready(monitor), 30000);
    QVERIFY2(page->status_label()->text().contains("2 of 2 ready"), qPrintable(page->status_label()->text()));
    QCOMPARE(cell(monitor, "fake", UpstreamMonitor::kTransport), QString("stdio"));
    QCOMPARE(cell(monitor, "fake", UpstreamMonitor::kSessions), QString("shared"));
    QCOMPARE(cell(monitor, "fake", UpstreamMonitor::kRestarts), QString("0"));
    QCOMPARE(cell(monitor, "fake", UpstreamMonitor::kLastExit), QString("–"));
    QCOMPARE(cell(monitor, "fake", UpstreamMonitor::kTools), QString("11"));
    auto const first_pid = monitor.find("fake")->pid;
    QVERIFY(first_pid > 0);
    QCOMPARE(cell(monitor, "fake", UpstreamMonitor::kProcess), QStringLiteral("pid %1").arg(first_pid));

    // Traffic to one upstream shows in its row; the other sees only /ready's pings (about 1/s).
    LoadGenerator load;
    LoadPlan plan;
    plan.rate_per_second = 40;
    plan.duration_s = 6;
    plan.calls = {{"fake__echo", QJsonObject{{"message", "hello"}}}};
    load.start(session.mcp_url(), plan);
    QTRY_VERIFY_WITH_TIMEOUT(!load.running(), 30000);
    QVERIFY2(load.stats().sent >= 200 && load.stats().ok == load.stats().sent,
             qPrintable(QStringLiteral("%1 sent, %2 ok, %3 refused").arg(load.stats().sent).arg(load.stats().ok).arg(load.stats().http_failures)));
    QTRY_VERIFY_WITH_TIMEOUT(monitor.traffic("fake").calls_per_second > 3 + monitor.traffic("fx").calls_per_second,
                             10000);
    QCOMPARE(cell(monitor, "fake", UpstreamMonitor::kErrorRatio), QString("0.0 %"));
    QVERIFY(cell(monitor, "fake", UpstreamMonitor::kP50).endsWith(" ms"));

    // Killed behind the gateway's back: the row shows the exit in its own words, the restart,
    // a new process; the timeline has it.
    QCOMPARE(::kill(pid_t(first_pid), SIGKILL), 0);
    QTRY_VERIFY_WITH_TIMEOUT(cell(monitor, "fake", UpstreamMonitor::kRestarts) == "1" &&
                                 cell(monitor, "fake", UpstreamMonitor::kState) == "ready",
                             30000);
    QVERIFY2(cell(monitor, "fake", UpstreamMonitor::kLastExit).startsWith("signal 9"),
             qPrintable(cell(monitor, "fake", UpstreamMonitor::kLastExit)));
    QVERIFY(monitor.find("fake")->pid != first_pid);
    QTRY_VERIFY_WITH_TIMEOUT(timeline_has(session, "upstream_restart", "fake restarted by the gateway"), 10000);

    // Selected, in full; restarted from the page: a new process, and no restart of its own counted.
    for (int row = 0; row < monitor.rowCount(); ++row)
      if (monitor.index(row, UpstreamMonitor::kName).data() == "fake") page->table()->selectRow(row);
    QCOMPARE(page->selected_name(), QString("fake"));
    QTRY_VERIFY(page->details()->toPlainText().contains("Last exit at"));
    QVERIFY(page->details()->toPlainText().contains("fake__echo"));
    auto const second_pid = monitor.find("fake")->pid;
    QSignalSpy answered(&monitor, &UpstreamMonitor::restart_answered);
    QVERIFY(page->restart_button()->isEnabled());
    page->restart_button()->click();
    QTRY_COMPARE_WITH_TIMEOUT(answered.count(), 1, 10000);
    QVERIFY2(answered.first().at(1).toBool(), qPrintable(answered.first().at(2).toString()));
    QTRY_VERIFY_WITH_TIMEOUT(monitor.find("fake") && monitor.find("fake")->pid > 0 &&
                                 monitor.find("fake")->pid != second_pid &&
                                 cell(monitor, "fake", UpstreamMonitor::kState) == "ready",
                             30000);
    QCOMPARE(cell(monitor, "fake", UpstreamMonitor::kRestarts), QString("1"));

    // Its log lines, one click away.
    page->logs_button()->click();
    auto* logs = console.window.logs_page();
    QCOMPARE(logs->query_edit()->text(), QString("upstream=fake"));
    QTRY_VERIFY_WITH_TIMEOUT(logs->table()->model()->rowCount() > 0, 10000);
    session.log_model().flush();
    auto* model = logs->table()->model();
    for (int row = 0; row < model->rowCount(); ++row) {
      bool mentions = false;
      for (int column = 0; column < model->columnCount(); ++column)
        mentions = mentions || model->index(row, column).data().toString().contains("fake");
      QVERIFY2(mentions, qPrintable(QString("row %1 is not about fake").arg(row)));
    }
  }

  // For docs/: both upstreams under load, one of them killed once.
  void screenshotOfTheUpstreamsPage() {
    auto const directory = qEnvironmentVariable("PRODMCP_SCREENSHOT_DIR");
    if (directory.isEmpty()) QSKIP("set PRODMCP_SCREENSHOT_DIR to write screenshots");
    ConsoleOnUpstreams console(true);
    auto& monitor = console.session.upstreams();
    QTRY_VERIFY_WITH_TIMEOUT(both_ready(monitor), 30000);
    LoadGenerator load;
    LoadPlan plan;
    plan.rate_per_second = 30;
    plan.duration_s = 60;
    plan.calls = {{"fake__echo", QJsonObject{{"message", "hello"}}}, {"fx__echo", QJsonObject{{"message", "hello"}}}};
    load.start(console.session.mcp_url(), plan);
    QTest::qWait(15'000);
    QCOMPARE(::kill(pid_t(monitor.find("fake")->pid), SIGKILL), 0);
    QTest::qWait(15'000);
    console.window.upstreams_page()->table()->selectRow(0);
    QTest::qWait(1500);
    QVERIFY(console.window.grab().save(QDir(directory).filePath("console-upstreams.png")));
  }

  void saysHowToPutAServerBehindAServerWithoutUpstreams() {
    ConsoleOptions options;
    options.launch.binary = PRODMCP_SERVER_BINARY;
    ConsoleSession session(options);
    MainWindow window(session);
    window.show();
    session.begin();
    QVERIFY(window.show_page("Upstreams"));
    QTRY_VERIFY_WITH_TIMEOUT(session.upstreams().polls() > 0, 30000);
    QCOMPARE(session.upstreams().rowCount(), 0);
    QTRY_VERIFY(window.upstreams_page()->status_label()->text().contains("No upstream servers"));
    QVERIFY(!window.upstreams_page()->restart_button()->isEnabled());
  }
};

QTEST_MAIN(UpstreamsPageTest)
#include "upstreams_page_test.moc"
