// The real console window supervising a real prodmcp-server, offscreen.
#include <signal.h>

#include <QClipboard>
#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryFile>
#include <QtTest>

#include "connect_client_dialog.hpp"
#include "events_page.hpp"
#include "fleet_page.hpp"
#include "demo/load_generator.hpp"
#include "demo_page.hpp"
#include "health_page.hpp"
#include "logs_page.hpp"
#include "metrics/queries.hpp"
#include "main_window.hpp"
#include "metrics_page.hpp"
#include "overview_page.hpp"
#include "supervision_bar.hpp"
#include "supervision/upstream_arguments.hpp"
#include "tools_page.hpp"

using namespace prodmcp::console;

namespace {

ConsoleOptions options_for_test() {
  ConsoleOptions options;
  options.launch.binary = PRODMCP_SERVER_BINARY;
  options.health_interval_ms = 300;
  options.restart.initial_backoff = std::chrono::milliseconds(100);
  return options;
}

bool timeline_has(ConsoleSession& session, QString const& kind, QString const& text = {}) {
  for (auto const& event : session.events().events())
    if (event.kind == kind && event.message.contains(text)) return true;
  return false;
}

// The highest tools/call rate the console's store shows over the last minute.
double tools_call_peak_rate(ConsoleSession& session) {
  auto const rate = evaluate_chart(session.store(), *find_chart("request_rate"), std::chrono::minutes(1),
                                   QDateTime::currentMSecsSinceEpoch());
  double peak = 0;
  for (auto const& line : rate)
    if (line.name == "tools/call")
      for (auto const& point : line.points) peak = std::max(peak, point.y());
  return peak;
}

QStringList column_texts(QAbstractItemModel const& model, int column) {
  QStringList texts;
  for (int row = 0; row < model.rowCount(); ++row) texts << model.index(row, column).data().toString();
  return texts;
}

// Whether the console's log holds a line with this event (after taking in what arrived).
bool log_has_event(logs::LogTableModel& logs, QString const& event) {
  logs.flush();
  for (int row = 0; row < logs.rowCount(); ++row)
    if (logs.index(row, logs::LogTableModel::kEventColumn).data().toString() == event) return true;
  return false;
}

// Starts a prodmcp-server the console did not start (on free loopback ports, `arguments` besides)
// and returns the options that attach a console to it; without an admin URL when it did not start.
ConsoleOptions start_server_to_attach(QProcess& server, QTemporaryDir const& work, QStringList const& arguments = {}) {
  auto environment = QProcessEnvironment::systemEnvironment();
  environment.insert("REDIS_URL", "");
  server.setProcessEnvironment(environment);
  server.start(PRODMCP_SERVER_BINARY, arguments + QStringList{"--listen", "127.0.0.1:0", "--admin-listen",
                                                              "127.0.0.1:0", "--ports-file", work.filePath("ports.json")});
  ConsoleOptions options;
  if (!server.waitForStarted(5000)) return options;
  QFile ports_file(work.filePath("ports.json"));
  for (int waited = 0; waited < 200 && !QFile::exists(ports_file.fileName()); ++waited) QTest::qWait(50);
  if (!ports_file.open(QIODevice::ReadOnly)) return options;
  auto const ports = QJsonDocument::fromJson(ports_file.readAll()).object();
  options.attach_admin_url = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(ports.value("admin").toInt()));
  options.attach_mcp_url = QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(ports.value("mcp").toInt()));
  options.health_interval_ms = 300;
  return options;
}

}  // namespace

class MainWindowTest : public QObject {
  Q_OBJECT
 private slots:
  void startsWatchesAndStopsARealServer() {
    ConsoleSession session(options_for_test());
    MainWindow window(session);
    window.show();
    session.begin();
    auto& server = session.supervisor()->server();
    QTRY_COMPARE_WITH_TIMEOUT(server.state(), SupervisedProcess::State::kRunning, 15000);
    QVERIFY(server.pid() > 0);
    QVERIFY(window.supervision_bar()->state_label()->text().contains("running"));

    // Health panel: liveness, readiness, each dependency check and the MCP round-trip, all healthy.
    auto& health = session.health_model();
    QTRY_VERIFY_WITH_TIMEOUT(health.rowCount() >= 6, 15000);
    auto const names = column_texts(health, HealthModel::kName);
    for (auto const& expected : {HealthPoller::kLiveness, HealthPoller::kReadiness, HealthPoller::kMcpRoundTrip,
                                 QStringLiteral("redis"), QStringLiteral("disk_space"), QStringLiteral("mcp_servers")})
      QVERIFY2(names.contains(expected), qPrintable(names.join(", ")));
    QTRY_VERIFY_WITH_TIMEOUT(!column_texts(health, HealthModel::kState).contains("unhealthy"), 5000);
    QVERIFY(session.health().tools().contains("echo"));
    QTRY_VERIFY_WITH_TIMEOUT(window.health_page()->summary_label()->text().contains("ready"), 5000);
    // History strips fill with every poll.
    QTRY_VERIFY_WITH_TIMEOUT(health.index(0, 0).data(HealthModel::kHistoryRole).toList().size() >= 3, 10000);

    // The fleet lists the supervised server, checked and up.
    QTRY_VERIFY_WITH_TIMEOUT(session.fleet().index(0, FleetMonitor::kStatus).data().toString() == "up, ready", 10000);
    QCOMPARE(session.fleet().index(0, FleetMonitor::kAlert).data().toString(), QString("none"));

    session.supervisor()->stop();
    QTRY_COMPARE_WITH_TIMEOUT(server.state(), SupervisedProcess::State::kStopped, 15000);
    QVERIFY(timeline_has(session, "start"));
    QVERIFY(timeline_has(session, "stop"));
    QVERIFY(timeline_has(session, "exit", "exited with code 0"));
  }

  // Traffic through the real transport: charts, overview and the log table fill; a range dragged on
  // a chart narrows the logs; a correlation id shows one request's lines.
  // Bring your own server: `prodmcp-console -- COMMAND` starts the supervised server as a gateway in
  // front of that stdio server; its tools are called through the console and its readiness shows.
  void putsTheUsersOwnServerBehindTheSupervisedOne() {
    auto options = options_for_test();
    UpstreamChoice mine;
    mine.command = {PRODMCP_SERVER_BINARY, "--stdio", "--conformance-fixtures"};
    options.launch.extra_arguments = upstream_arguments(mine);
    ConsoleSession session(options);
    MainWindow window(session);
    window.show();
    session.begin();
    QTRY_COMPARE_WITH_TIMEOUT(session.supervisor()->server().state(), SupervisedProcess::State::kRunning, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(session.health().tools().contains("test_simple_text"), 30000);
    auto& health = session.health_model();
    QTRY_VERIFY_WITH_TIMEOUT(column_texts(health, HealthModel::kDetail).join('\n').contains("prodmcp-server: ready"),
                             15000);
    QVERIFY(window.show_page("Tools"));
    auto* tools = window.tools_page();
    QTRY_VERIFY_WITH_TIMEOUT(tools->select_tool("test_simple_text"), 10000);
    tools->call_button()->click();
    QTRY_VERIFY_WITH_TIMEOUT(session.call_history().rowCount() == 1, 10000);
    QVERIFY2(tools->result_view()->toPlainText().contains("This is a simple text response for testing."),
             qPrintable(tools->result_view()->toPlainText()));
    QVERIFY(timeline_has(session, "start"));
    session.supervisor()->stop();
    QTRY_COMPARE_WITH_TIMEOUT(session.supervisor()->server().state(), SupervisedProcess::State::kStopped, 15000);
  }

  void chartsLogsAndPivotsFollowRealTraffic() {
    auto options = options_for_test();
    options.launch.extra_arguments = {"--set", "rate_limit.requests_per_minute=100000"};
    ConsoleSession session(options);
    MainWindow window(session);
    window.resize(1280, 800);
    window.show();
    session.begin();
    QTRY_COMPARE_WITH_TIMEOUT(session.supervisor()->server().state(), SupervisedProcess::State::kRunning, 15000);
    LoadGenerator load;
    LoadPlan plan;
    plan.rate_per_second = 40;
    plan.duration_s = 6;
    load.start(session.mcp_url(), plan);
    QTRY_VERIFY_WITH_TIMEOUT(!load.running(), 20000);
    QVERIFY2(load.stats().ok > 100, qPrintable(QString::number(load.stats().ok)));
    QVERIFY(load.stats().errors > 0);  // the unknown tool
    QTest::qWait(1500);                // one more scrape after the last call

    QVERIFY(window.show_page("Metrics"));
    auto* metrics = window.metrics_page();
    metrics->set_window_minutes(1);
    metrics->redraw();
    auto names = [](TimeSeriesChart* chart) {
      QStringList list;
      for (auto const& line : chart->lines()) list << line.name;
      return list;
    };
    QTRY_VERIFY_WITH_TIMEOUT(names(metrics->chart("request_rate")).contains("tools/call"), 10000);
    QVERIFY2(metrics->chart("request_rate")->latest_values().contains("tools/call"),
             qPrintable(metrics->chart("request_rate")->latest_values()));
    QVERIFY2(names(metrics->chart("latency")) == QStringList({"p50", "p95", "p99"}), qPrintable(names(metrics->chart("latency")).join(",")));
    QVERIFY(!metrics->chart("error_ratio")->lines().isEmpty());
    QVERIFY(names(metrics->chart("top_tools")).contains("echo"));
    QVERIFY(names(metrics->chart("memory")).contains("server"));
    QTemporaryDir exports;
    int shown = 0;  // the upstream charts stay hidden: this server fronts none
    for (auto* chart : metrics->charts()) shown += chart->isHidden() ? 0 : 1;
    QCOMPARE(shown, int(chart_catalog().size()));
    QCOMPARE(metrics->export_all(exports.path()), 2 * shown);
    QFile csv(exports.filePath("request_rate.csv"));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    auto const csv_text = csv.readAll();
    QVERIFY(csv_text.startsWith("series,time,value\n"));
    QVERIFY2(csv_text.contains("\n\"tools/call\","), csv_text.left(300).constData());

    QVERIFY(window.show_page("Overview"));
    window.overview_page()->refresh();
    QVERIFY(window.overview_page()->tile("requests")->value_text().endsWith("/s"));
    QVERIFY(window.overview_page()->tile("memory")->value_text().endsWith("MiB"));

    // The log table holds the server's request lines; a correlation id narrows it to one request.
    auto& logs = session.log_model();
    logs.flush();
    QVERIFY(logs.rowCount() > 100);
    int request_row = -1;
    for (int row = logs.rowCount() - 1; row >= 0 && request_row < 0; --row)
      if (logs.index(row, logs::LogTableModel::kEventColumn).data().toString() == "request") request_row = row;
    QVERIFY(request_row >= 0);
    auto const id = logs.index(request_row, logs::LogTableModel::kCorrelationIdColumn).data().toString();
    QVERIFY(!id.isEmpty());
    window.logs_page()->show_correlation_id(id);
    QTRY_VERIFY_WITH_TIMEOUT(!logs.is_filtering() && logs.rowCount() >= 1, 5000);
    for (int row = 0; row < logs.rowCount(); ++row)
      QCOMPARE(logs.index(row, logs::LogTableModel::kCorrelationIdColumn).data().toString(), id);

    // A range selected on a chart narrows logs and events to it.
    qint64 const now = QDateTime::currentMSecsSinceEpoch();
    emit metrics->range_selected(now - 60'000, now - 59'000);
    QTRY_VERIFY_WITH_TIMEOUT(!logs.is_filtering(), 5000);
    QVERIFY(window.logs_page()->query_edit()->text().contains("time>="));
    for (int row = 0; row < logs.rowCount(); ++row) {
      auto const time = logs.index(row, 0).data(logs::LogTableModel::kTimestampRole).toLongLong();
      QVERIFY(time >= now - 60'000 && time <= now - 59'000);
    }
  }

  // The profile chosen in the bar applies at the next restart.
  void aProfileChosenInTheBarAppliesOnRestart() {
    ConsoleSession session(options_for_test());
    MainWindow window(session);
    session.begin();
    auto& server = session.supervisor()->server();
    QTRY_COMPARE_WITH_TIMEOUT(server.state(), SupervisedProcess::State::kRunning, 15000);
    auto* profiles = window.supervision_bar()->profile_box();
    profiles->setCurrentIndex(profiles->findData("staging"));
    QList<QByteArray> output;
    connect(&server, &SupervisedProcess::output_lines, this, [&](QList<QByteArray> const& lines) { output += lines; });
    auto const first_pid = server.pid();
    window.supervision_bar()->restart_button()->click();
    QTRY_VERIFY_WITH_TIMEOUT(server.state() == SupervisedProcess::State::kRunning && server.pid() != first_pid, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(std::any_of(output.begin(), output.end(), [](QByteArray const& line) {
                               return line.contains(R"("event":"starting")") && line.contains(R"("profile":"staging")");
                             }),
                             5000);
    QVERIFY(window.supervision_bar()->state_label()->text().contains("staging"));
    QVERIFY(timeline_has(session, "config", "profile staging"));
    // SIGHUP: the server reloads its config and the timeline says what it did.
    ::kill(pid_t(server.pid()), SIGHUP);
    QTRY_VERIFY_WITH_TIMEOUT(timeline_has(session, "config_reloaded", "config reloaded: changed nothing"), 10000);
  }

  // The tool explorer: list, call echo through the generated form, see the result, latency and
  // correlation id, jump to that request's log lines, replay from the history; a bad form value is
  // refused before anything is sent.
  void callsAToolAndFollowsItToItsLogLines() {
    ConsoleSession session(options_for_test());
    MainWindow window(session);
    window.resize(1280, 800);
    window.show();
    session.begin();
    QTRY_COMPARE_WITH_TIMEOUT(session.supervisor()->server().state(), SupervisedProcess::State::kRunning, 15000);
    QVERIFY(window.show_page("Tools"));
    auto* tools = window.tools_page();
    QTRY_VERIFY_WITH_TIMEOUT(tools->select_tool("echo"), 10000);
    QVERIFY(tools->catalog_tree()->findItems("prodmcp://server/status", Qt::MatchExactly | Qt::MatchRecursive).size() == 1);
    QVERIFY(tools->set_field("message", "hello from the explorer"));
    tools->call_button()->click();
    QTRY_VERIFY_WITH_TIMEOUT(session.call_history().rowCount() == 1, 10000);
    QVERIFY(tools->result_view()->toPlainText().startsWith("hello from the explorer"));
    QVERIFY(tools->answer_label()->text().contains("ok"));
    auto const correlation_id = session.call_history().at(0).answer.correlation_id;
    QVERIFY(!correlation_id.isEmpty());
    QVERIFY(tools->answer_label()->text().contains(correlation_id));

    // Its log lines.
    emit tools->show_request_logs(correlation_id);
    auto& logs = session.log_model();
    QTRY_VERIFY_WITH_TIMEOUT(!logs.is_filtering() && logs.rowCount() >= 1, 10000);
    for (int row = 0; row < logs.rowCount(); ++row)
      QCOMPARE(logs.index(row, logs::LogTableModel::kCorrelationIdColumn).data().toString(), correlation_id);

    // A wrong value never leaves the console; a slow tool's SSE answer is read; replay works.
    QVERIFY(tools->select_tool("http_status_lookup"));
    QVERIFY(tools->set_field("code", "five hundred"));
    tools->call_button()->click();
    QVERIFY(tools->answer_label()->text().contains("code must be a whole number"));
    QCOMPARE(session.call_history().rowCount(), 1);
    QVERIFY(tools->select_tool("simulate_workload"));
    QVERIFY(tools->set_field("duration_ms", "50"));
    tools->call_button()->click();
    QTRY_VERIFY_WITH_TIMEOUT(session.call_history().rowCount() == 2, 10000);
    QCOMPARE(session.call_history().index(1, CallHistory::kOutcome).data().toString(), QString("ok"));
    QVERIFY(tools->result_view()->toPlainText().contains("completed 5 steps"));
    tools->replay(0);
    QTRY_VERIFY_WITH_TIMEOUT(session.call_history().rowCount() == 3, 10000);
    QCOMPARE(session.call_history().at(2).tool, QString("echo"));
    QVERIFY(session.call_history().at(2).answer.correlation_id != correlation_id);
  }

  // The demo bench: load from the page raises the request rate; the error-rate switch makes the
  // server fail tool calls on purpose until it is cleared.
  void theDemoBenchDrivesLoadAndFaults() {
    auto options = options_for_test();
    options.launch.extra_arguments = {"--set", "rate_limit.requests_per_minute=100000"};
    ConsoleSession session(options);
    MainWindow window(session);
    window.show();
    session.begin();
    QTRY_COMPARE_WITH_TIMEOUT(session.supervisor()->server().state(), SupervisedProcess::State::kRunning, 15000);
    QVERIFY(window.show_page("Demo"));
    auto* demo = window.demo_page();
    QTRY_VERIFY_WITH_TIMEOUT(session.faults().state().known && session.faults().state().allowed, 10000);
    QVERIFY(demo->faults_label()->text().contains("no faults"));
    demo->error_rate_box()->setValue(1.0);
    demo->apply_faults_button()->click();
    QTRY_VERIFY_WITH_TIMEOUT(demo->faults_label()->text().contains("faults on"), 10000);
    demo->rate_box()->setValue(50);
    demo->duration_box()->setValue(3);
    demo->load_button()->click();
    QVERIFY(session.load().running());
    QTRY_VERIFY_WITH_TIMEOUT(!session.load().running(), 15000);
    auto const stats = session.load().stats();
    QVERIFY2(stats.tool_errors > 50, qPrintable(demo->load_label()->text()));
    QCOMPARE(stats.ok, 0);  // every call that reached a tool failed on purpose
    QVERIFY(timeline_has(session, "load_finished"));
    // The request rate the console scraped rose (once a scrape after the load has landed).
    QTRY_VERIFY2_WITH_TIMEOUT(tools_call_peak_rate(session) > 5, qPrintable(QString::number(tools_call_peak_rate(session))),
                              15000);  // only the load calls tools here
    demo->error_rate_box()->setValue(0);
    demo->apply_faults_button()->click();
    QTRY_VERIFY_WITH_TIMEOUT(demo->faults_label()->text().contains("no faults"), 10000);

    // The crashing tool: the server dies by SIGABRT and the restart policy brings it back.
    auto& server = session.supervisor()->server();
    auto const pid = server.pid();
    demo->crash_button()->click();
    QTRY_VERIFY_WITH_TIMEOUT(timeline_has(session, "exit", "killed by SIGABRT"), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(server.state() == SupervisedProcess::State::kRunning && server.pid() != pid, 20000);
    QCOMPARE(server.restarts(), 1);
    QVERIFY(timeline_has(session, "crash_requested"));
    // A fresh process starts disarmed.
    QTRY_VERIFY_WITH_TIMEOUT(session.faults().state().known && !session.faults().state().crash_tool, 10000);
  }

  // Record a real server under load, then replay the file with no server: the charts, logs,
  // health and events come back as they were.
  void recordsASessionAndReplaysItOffline() {
    QTemporaryDir dir;
    auto const path = dir.filePath("session.jsonl");
    {
      auto options = options_for_test();
      options.launch.extra_arguments = {"--set", "rate_limit.requests_per_minute=100000"};
      ConsoleSession session(options);
      MainWindow window(session);
      window.show();
      session.begin();
      QTRY_COMPARE_WITH_TIMEOUT(session.supervisor()->server().state(), SupervisedProcess::State::kRunning, 15000);
      QVERIFY(window.show_page("Events"));
      QVERIFY(session.recorder().start(path));
      QCOMPARE(window.events_page()->record_button()->text(), QString("Stop recording"));
      LoadGenerator load;
      LoadPlan plan;
      plan.rate_per_second = 40;
      plan.duration_s = 4;
      load.start(session.mcp_url(), plan);
      QTRY_VERIFY_WITH_TIMEOUT(!load.running(), 15000);
      // The recording holds the scrapes that show the load.
      QTRY_VERIFY_WITH_TIMEOUT(tools_call_peak_rate(session) > 0, 15000);
      window.events_page()->record_button()->click();  // stop
      QVERIFY(!session.recorder().recording());
    }
    auto options = options_for_test();
    options.replay_file = path;
    options.replay_speed = 5;
    ConsoleSession replay(options);
    QVERIFY(replay.supervisor() == nullptr);
    MainWindow window(replay);
    window.resize(1280, 800);
    window.show();
    replay.begin();
    QTRY_VERIFY_WITH_TIMEOUT(replay.replayer().finished(), 15000);
    QVERIFY(window.supervision_bar()->state_label()->text().contains("replay"));
    QVERIFY(window.show_page("Metrics"));
    auto* metrics = window.metrics_page();
    metrics->set_window_minutes(1);
    metrics->redraw();
    QStringList names;
    for (auto const& line : metrics->chart("request_rate")->lines()) names << line.name;
    QVERIFY2(names.contains("tools/call"), qPrintable(names.join(",")));
    QVERIFY(replay.log_model().rowCount() > 100);
    QVERIFY(replay.health().ready());
    QVERIFY(timeline_has(replay, "recording_started"));
  }

  // Ctrl+1..9 choose pages, Ctrl+F goes to the log filter and Esc clears it; the window's size,
  // page and splitters come back as they were left.
  void answersTheKeyboardAndRemembersItsState() {
    ConsoleSession session(options_for_test());
    MainWindow window(session);
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTest::keyClick(&window, Qt::Key_2, Qt::ControlModifier);
    QCOMPARE(window.current_page(), QString("Metrics"));
    QTest::keyClick(&window, Qt::Key_9, Qt::ControlModifier);
    QCOMPARE(window.current_page(), QString("Demo"));
    QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
    QCOMPARE(window.current_page(), QString("Logs"));
    auto* filter = window.logs_page()->query_edit();
    QTRY_VERIFY(filter->hasFocus());
    QTest::keyClicks(filter, "level>=error");
    QCOMPARE(filter->text(), QString("level>=error"));
    QTest::keyClick(filter, Qt::Key_Escape);
    QCOMPARE(filter->text(), QString());

    QTemporaryDir dir;
    auto const file = dir.filePath("console.ini");
    window.resize(1100, 700);
    window.show_page("Trace");
    {
      QSettings settings(file, QSettings::IniFormat);
      window.save_state(settings);
    }
    MainWindow again(session);
    again.restore_state(QSettings(file, QSettings::IniFormat));
    QCOMPARE(again.current_page(), QString("Trace"));
    QCOMPARE(again.size(), QSize(1100, 700));
  }

  // "Connect a client…" on the Overview: the server's URL for each host, copied on request.
  void connectAClientShowsWhatToPasteForTheServer() {
    ConsoleSession session(options_for_test());
    MainWindow window(session);
    window.show();
    session.begin();
    QTRY_VERIFY_WITH_TIMEOUT(!session.mcp_url().isEmpty(), 15000);
    QStringList clients;
    QString cursor, copied;
    connect(window.overview_page(), &OverviewPage::connect_dialog_opened, this, [&](ConnectClientDialog* dialog) {
      QTimer::singleShot(0, dialog, [&, dialog] {
        for (int i = 0; i < dialog->tabs()->count(); ++i) clients << dialog->tabs()->tabText(i);
        cursor = dialog->text_for("Cursor");
        dialog->tabs()->setCurrentIndex(int(clients.indexOf("Claude Code")));
        dialog->copy_current();
        copied = QGuiApplication::clipboard()->text();
        dialog->reject();
      });
    });
    window.overview_page()->connect_client_button()->click();
    QCOMPARE(clients, (QStringList{"Claude Desktop", "Claude Code", "Cursor", "VS Code", "MCP Inspector"}));
    QVERIFY2(cursor.contains(session.mcp_url().toString()), qPrintable(cursor));
    QVERIFY2(!cursor.contains("Authorization"), qPrintable(cursor));  // the test server asks no token
    QCOMPARE(copied, "claude mcp add --transport http prodmcp " + session.mcp_url().toString());
  }

  // Not a check: the Connect a client dialog for docs/ (a server with auth, the Cursor tab).
  void screenshotOfConnectAClient() {
    auto const directory = qEnvironmentVariable("PRODMCP_SCREENSHOT_DIR");
    if (directory.isEmpty()) QSKIP("set PRODMCP_SCREENSHOT_DIR to write screenshots");
    ConnectClientDialog dialog(QUrl("http://127.0.0.1:8080/mcp"), true);
    for (int i = 0; i < dialog.tabs()->count(); ++i)
      if (dialog.tabs()->tabText(i) == "VS Code") dialog.tabs()->setCurrentIndex(i);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QTest::qWait(300);
    QVERIFY(dialog.grab().save(QDir(directory).filePath("console-connect-client.png")));
  }

  // Every page fits a 1280x720 screen: the window's smallest size is within it, also on a HiDPI
  // screen.
  void fitsA1280x720Screen() {
    ConsoleSession session(options_for_test());
    MainWindow window(session);
    window.resize(1280, 720);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto const smallest = window.minimumSizeHint().expandedTo(window.minimumSize());
    QVERIFY2(smallest.width() <= 1280 && smallest.height() <= 720,
             qPrintable(QStringLiteral("%1x%2").arg(smallest.width()).arg(smallest.height())));
    QCOMPARE(window.size(), QSize(1280, 720));
    // Drawn at the screen's density (gui.main_window_hidpi runs this at QT_SCALE_FACTOR=2).
    auto const drawn = window.grab();
    QCOMPARE(drawn.size(), window.size() * window.devicePixelRatio());
  }

  void restartsAServerThatWasKilled() {
    ConsoleSession session(options_for_test());
    MainWindow window(session);
    session.begin();
    auto& server = session.supervisor()->server();
    QTRY_COMPARE_WITH_TIMEOUT(server.state(), SupervisedProcess::State::kRunning, 15000);
    auto const first_pid = server.pid();
    ::kill(pid_t(first_pid), SIGKILL);
    QTRY_VERIFY_WITH_TIMEOUT(timeline_has(session, "exit", "killed by SIGKILL"), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(server.state(), SupervisedProcess::State::kRunning, 15000);
    QVERIFY(server.pid() != first_pid);
    QCOMPARE(server.restarts(), 1);
    QVERIFY(timeline_has(session, "restart"));
    QTRY_COMPARE_WITH_TIMEOUT(window.supervision_bar()->restarts_label()->text(), QString("1"), 3000);
    // In its own words, on one line: the request it logged just before is no reason.
    auto const* exit_label = window.supervision_bar()->exit_label();
    QVERIFY2(exit_label->text() == "killed by SIGKILL", qPrintable(exit_label->text()));
    QVERIFY(!exit_label->wordWrap());
    // The health panel follows the new process.
    QTRY_VERIFY_WITH_TIMEOUT(session.health().ready(), 10000);
  }

  // With restart policy "never", a killed server stays down: the failed scrapes make the shipped
  // MCPServerDown rule pending (firing after its 2 minutes), shown in the overview and timeline.
  void aDeadServerMakesTheDownAlertPending() {
    auto options = options_for_test();
    options.restart.mode = RestartMode::kNever;
    ConsoleSession session(options);
    MainWindow window(session);
    window.show();
    window.show_page("Overview");
    session.begin();
    auto& server = session.supervisor()->server();
    QTRY_COMPARE_WITH_TIMEOUT(server.state(), SupervisedProcess::State::kRunning, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(session.scraper().last_report().ok, 5000);
    QCOMPARE(session.alerts().find("MCPServerDown")->state, AlertState::kInactive);
    ::kill(pid_t(server.pid()), SIGKILL);
    QTRY_COMPARE_WITH_TIMEOUT(server.state(), SupervisedProcess::State::kFailed, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(session.alerts().find("MCPServerDown")->state, AlertState::kPending, 10000);
    QVERIFY(timeline_has(session, "alert_pending", "MCPServerDown"));
    window.overview_page()->refresh();
    QVERIFY(window.overview_page()->status_label()->text().contains("no alerts firing"));
  }

  void reportsACrashLoopWithTheServersOwnError() {
    QTemporaryFile config(QDir::tempPath() + "/prodmcp-console-test-XXXXXX.toml");
    QVERIFY(config.open());
    config.write("[server]\nworkers = \"many\"\n");
    config.close();
    auto options = options_for_test();
    options.launch.config_file = config.fileName();
    options.restart.crash_loop_exits = 3;
    ConsoleSession session(options);
    MainWindow window(session);
    session.begin();
    auto& server = session.supervisor()->server();
    QTRY_COMPARE_WITH_TIMEOUT(server.state(), SupervisedProcess::State::kFailed, 20000);
    QCOMPARE(server.restarts(), 2);
    QVERIFY2(server.last_exit_reason().contains("crash loop"), qPrintable(server.last_exit_reason()));
    QVERIFY2(server.last_exit_reason().contains("server.workers must be an integer"), qPrintable(server.last_exit_reason()));
    QVERIFY(timeline_has(session, "crash_loop", "server.workers"));
    QTRY_VERIFY_WITH_TIMEOUT(window.supervision_bar()->state_label()->text().contains("failed"), 3000);
    QVERIFY(window.supervision_bar()->exit_label()->text().contains("server.workers"));
    QVERIFY(window.supervision_bar()->start_button()->isEnabled());
  }

  // Killing the console must not orphan its server: SIGTERM quits through the event loop, which
  // stops the supervised process first.
  void sigtermToTheConsoleStopsItsServer() {
    QProcess console;
    auto environment = QProcessEnvironment::systemEnvironment();
    environment.insert("QT_QPA_PLATFORM", "offscreen");
    console.setProcessEnvironment(environment);
    console.start(PRODMCP_CONSOLE_BINARY, {"--server-binary", PRODMCP_SERVER_BINARY});
    QVERIFY(console.waitForStarted(5000));
    auto server_pid = [&] {
      QFile children(QStringLiteral("/proc/%1/task/%1/children").arg(console.processId()));
      if (!children.open(QIODevice::ReadOnly)) return 0LL;
      return children.readAll().trimmed().split(' ').value(0).toLongLong();
    };
    QTRY_VERIFY_WITH_TIMEOUT(server_pid() > 0, 15000);
    auto const pid = server_pid();
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(QStringLiteral("/proc/%1").arg(pid)), 1000);
    ::kill(pid_t(console.processId()), SIGTERM);
    QVERIFY(console.waitForFinished(15000));
    QCOMPARE(console.exitStatus(), QProcess::NormalExit);
    // The server was a child of the console and has been reaped: its /proc entry is gone.
    QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(QStringLiteral("/proc/%1").arg(pid)), 5000);
  }

  // Not a check: renders every page with live data for docs/ when PRODMCP_SCREENSHOT_DIR is set
  // (tests/gui/take-screenshots.sh).
  void screenshotsOfEveryPage() {
    auto const directory = qEnvironmentVariable("PRODMCP_SCREENSHOT_DIR");
    if (directory.isEmpty()) QSKIP("set PRODMCP_SCREENSHOT_DIR to write screenshots");
    auto options = options_for_test();
    options.health_interval_ms = 1000;
    options.launch.extra_arguments = {"--set", "rate_limit.requests_per_minute=3000"};
    ConsoleSession session(options);
    MainWindow window(session);
    window.resize(1280, 800);
    window.show();
    session.begin();
    QTRY_COMPARE_WITH_TIMEOUT(session.supervisor()->server().state(), SupervisedProcess::State::kRunning, 15000);
    session.fleet().add({"staging", "staging", QUrl("http://127.0.0.1:9"), QUrl("http://127.0.0.1:9/mcp"), false});
    LoadGenerator load;
    LoadPlan plan;
    plan.rate_per_second = 60;
    plan.duration_s = 75;
    load.start(session.mcp_url(), plan);
    QTest::qWait(qEnvironmentVariableIntValue("PRODMCP_SCREENSHOT_SECONDS") * 1000 + 20'000);
    window.metrics_page()->set_window_minutes(1);
    for (auto const* page : {"Overview", "Metrics", "Health", "Logs", "Tools", "Demo", "Fleet", "Events"}) {
      QVERIFY(window.show_page(page));
      if (QString(page) == "Tools") {
        QTRY_VERIFY_WITH_TIMEOUT(window.tools_page()->select_tool("http_status_lookup"), 10000);
        window.tools_page()->set_field("code", "503");
        window.tools_page()->call_button()->click();
        QTRY_VERIFY_WITH_TIMEOUT(session.call_history().rowCount() > 0, 10000);
      }
      QTest::qWait(1200);
      QVERIFY(window.grab().save(QDir(directory).filePath(QStringLiteral("console-%1.png").arg(QString(page).toLower()))));
    }
  }

  // Attach mode to a server outside the development profile: its /logs needs the admin token. Without
  // PRODMCP_ADMIN_TOKEN the console says so (and shows no error body as log lines); with it, the
  // log streams.
  void attachesWithTheAdminTokenFromItsEnvironment() {
    QTemporaryDir work;
    QByteArray const token = "console-admin-token-1234";
    auto const hash = "sha256:" + QCryptographicHash::hash(token, QCryptographicHash::Sha256).toHex();
    QProcess server;
    auto const options = start_server_to_attach(
        server, work, {"--profile", "staging", "--set", "server.admin_token_hash=" + QString(hash)});
    QVERIFY(!options.attach_admin_url.isEmpty());
    for (bool const with_token : {false, true}) {
      if (with_token) qputenv("PRODMCP_ADMIN_TOKEN", token);
      ConsoleSession session(options);
      QSignalSpy changes(&session.log_stream(), &LogStreamClient::connection_changed);
      session.begin();
      if (!with_token) {
        QTRY_VERIFY_WITH_TIMEOUT(!changes.isEmpty(), 10000);
        auto const detail = changes.first().at(1).toString();
        QVERIFY2(detail.contains("PRODMCP_ADMIN_TOKEN"), qPrintable(detail));
        QVERIFY(!session.log_stream().connected());
        auto& logs = session.log_model();
        logs.flush();
        for (int row = 0; row < logs.rowCount(); ++row)
          for (int column = 0; column < logs.columnCount(); ++column)
            QVERIFY(!logs.index(row, column).data().toString().contains("admin token"));
      } else {
        QTRY_VERIFY_WITH_TIMEOUT(session.log_stream().connected(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(log_has_event(session.log_model(), "listening"), 10000);
      }
    }
    qunsetenv("PRODMCP_ADMIN_TOKEN");
    server.terminate();
    QVERIFY(server.waitForFinished(10000));
  }

  // Attach mode: a server the console did not start, watched by URL: health, metrics and the log
  // (from the server's /logs stream, with the replay of its start-up lines); no process control.
  void attachesToARunningServer() {
    QTemporaryDir work;
    QProcess server;
    auto const options = start_server_to_attach(server, work);
    QVERIFY(!options.attach_admin_url.isEmpty());
    ConsoleSession session(options);
    MainWindow window(session);
    window.show();
    session.begin();
    QVERIFY(session.supervisor() == nullptr);
    QTRY_VERIFY_WITH_TIMEOUT(session.health().ready(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(session.health().tools().contains("echo"), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(session.scraper().last_report().ok, 10000);
    QVERIFY(session.scraper().last_report().series > 10);
    QTRY_VERIFY_WITH_TIMEOUT(session.log_stream().connected(), 10000);
    auto const has_event = [&](QString const& event) { return log_has_event(session.log_model(), event); };
    QTRY_VERIFY_WITH_TIMEOUT(has_event("listening"), 10000);  // replayed
    QVERIFY(timeline_has(session, "attach"));
    QTRY_VERIFY_WITH_TIMEOUT(session.fleet().index(0, FleetMonitor::kStatus).data().toString() == "up, ready", 10000);
    server.terminate();
    QVERIFY(server.waitForFinished(10000));
    QTRY_VERIFY_WITH_TIMEOUT(has_event("shutting_down"), 10000);  // the stream ends saying why
    QTRY_VERIFY_WITH_TIMEOUT(!session.scraper().last_report().ok, 10000);
  }

  // --with-redis: a private redis-server on a free port, started first, and the server uses it.
  void startsAPrivateRedisForTheServer() {
    if (QStandardPaths::findExecutable("redis-server").isEmpty()) QSKIP("redis-server is not installed");
    auto options = options_for_test();
    options.launch.with_redis = true;
    ConsoleSession session(options);
    session.begin();
    QTRY_COMPARE_WITH_TIMEOUT(session.supervisor()->server().state(), SupervisedProcess::State::kRunning, 15000);
    QCOMPARE(session.supervisor()->redis().state(), SupervisedProcess::State::kRunning);
    auto const redis_detail = [&] {
      auto const* redis = session.health().latest("redis");
      return redis ? redis->detail : QString();
    };
    QTRY_VERIFY_WITH_TIMEOUT(redis_detail().startsWith("PONG from 127.0.0.1:"), 10000);
    QVERIFY(redis_detail().contains(QString::number(QUrl(session.supervisor()->redis_url()).port())));
    session.supervisor()->stop();
    QTRY_COMPARE_WITH_TIMEOUT(session.supervisor()->redis().state(), SupervisedProcess::State::kStopped, 15000);
    QCOMPARE(session.supervisor()->server().state(), SupervisedProcess::State::kStopped);
  }

  void reportsAMissingBinary() {
    auto options = options_for_test();
    options.launch.binary = "/nonexistent/prodmcp-server";
    ConsoleSession session(options);
    session.begin();
    QTRY_COMPARE_WITH_TIMEOUT(session.supervisor()->server().state(), SupervisedProcess::State::kFailed, 5000);
    QVERIFY(session.supervisor()->server().last_exit_reason().contains("could not start"));
  }
};

QTEST_MAIN(MainWindowTest)
#include "main_window_test.moc"
