// The console's pages for a gateway, on a real one: the console starts prodmcp-server in front of
// the tests' fake stdio MCP server and the fixtures server. Upstreams follows a crash, the
// gateway's restart and one asked from the page, and leads to the upstream's log lines; Add
// server writes and applies an upstream; Ship it writes the bundle; Trace shows both legs.
#include <signal.h>

#include <QtTest>

#include "add_server_dialog.hpp"
#include "config_page.hpp"
#include "demo/load_generator.hpp"
#include "logs_page.hpp"
#include "metrics_page.hpp"
#include "overview_page.hpp"
#include "tools_page.hpp"
#include "trace_page.hpp"
#include "main_window.hpp"
#include "upstreams_page.hpp"

#include "gui/gateway_console.hpp"

using namespace prodmcp::console;
using namespace prodmcp::console::testing;

class GatewayPagesTest : public QObject {
  Q_OBJECT
 private slots:
  void followsACrashTheGatewaysRestartAndOneAskedFor() {
    ConsoleOnUpstreams console(gateway_options());
    auto& session = console.session;
    auto& monitor = session.upstreams();
    auto* page = console.window.upstreams_page();
    QTRY_VERIFY_WITH_TIMEOUT(both_ready(monitor), 30000);
    QVERIFY2(page->status_label()->text().contains("2 of 2 ready"), qPrintable(page->status_label()->text()));
    QVERIFY(console.window.overview_page()->own_server_button()->isHidden());  // it fronts servers already
    // Health has a row for each upstream's round trip.
    QTRY_VERIFY_WITH_TIMEOUT(session.health().latest("mcp_servers: fake") &&
                                 session.health().latest("mcp_servers: fx") &&
                                 session.health().latest("mcp_servers: fx")->state == CheckState::kHealthy,
                             10000);
    QVERIFY(session.health().latest("mcp_servers: fx")->detail.startsWith("ready (ping"));
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
             qPrintable(QStringLiteral("%1 sent, %2 ok, %3 refused").arg(load.stats().sent).arg(load.stats().ok).arg(load.stats().refused + load.stats().failed)));
    QTRY_VERIFY_WITH_TIMEOUT(monitor.traffic("fake").calls_per_second > 3 + monitor.traffic("fx").calls_per_second,
                             10000);
    QCOMPARE(cell(monitor, "fake", UpstreamMonitor::kErrorRatio), QString("0.0 %"));
    QVERIFY(cell(monitor, "fake", UpstreamMonitor::kP50).endsWith(" ms"));
    // The Overview and the Metrics page split the traffic by upstream too.
    console.window.show_page("Overview");
    auto* summary = console.window.overview_page()->upstreams_label();
    QTRY_VERIFY2(summary->isVisible() && summary->text().contains("<b>fake</b>") && summary->text().contains("calls/s") &&
                     summary->text().contains("<b>fx</b>"),
                 qPrintable(summary->text()));
    console.window.show_page("Metrics");
    auto* upstream_calls = console.window.metrics_page()->chart("upstream_calls");
    QVERIFY(upstream_calls && upstream_calls->isVisible());
    QTRY_VERIFY(upstream_calls->latest_values().contains("fake"));
    console.window.show_page("Upstreams");

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

    // Shipped: a bundle with both upstreams in its production config.
    QTemporaryDir shipped;
    auto const said = page->ship_to(shipped.path());
    QVERIFY2(said.startsWith("deployment bundle written"), qPrintable(said));
    QFile config(QDir(shipped.path()).filePath("prodmcp.toml"));
    QVERIFY(config.open(QIODevice::ReadOnly));
    auto const text = config.readAll();
    QVERIFY2(text.contains("[upstreams.fake]") && text.contains("[upstreams.fx]"), text.constData());
    QVERIFY(page->ship_to(shipped.path()).contains("pick an empty folder"));

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
    ConsoleOnUpstreams console(gateway_options(true));
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

  // For docs/: the dialog with a script picked.
  void screenshotOfTheAddServerDialog() {
    auto const directory = qEnvironmentVariable("PRODMCP_SCREENSHOT_DIR");
    if (directory.isEmpty()) QSKIP("set PRODMCP_SCREENSHOT_DIR to write screenshots");
    QTemporaryDir project;
    AddServerDialog dialog(project.filePath("home"), project.path());
    dialog.use_script("/home/ada/notes/notes_server.py");
    dialog.arguments_edit()->setText(dialog.arguments_edit()->text() + " --db notes.db");
    dialog.environment_edit()->setPlainText("NOTES_TOKEN=${NOTES_TOKEN}");
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QTest::qWait(500);
    QVERIFY(dialog.grab().save(QDir(directory).filePath("console-add-server.png")));
  }

  // Add server…: a command typed into the dialog becomes an [upstreams.NAME] table in the config
  // document; applied, the server restarts as the gateway in front of it.
  void addsAServerFromTheDialogAndAppliesIt() {
    QTemporaryDir work;
    auto const config = work.filePath("prodmcp.toml");
    {
      QFile file(config);
      QVERIFY(file.open(QIODevice::WriteOnly));
      file.write("[logging]\nlevel = \"info\"\n");
    }
    ConsoleOptions options;
    options.launch.binary = PRODMCP_SERVER_BINARY;
    options.launch.config_file = config;
    options.health_interval_ms = 300;
    ConsoleOnUpstreams console(options);
    auto& session = console.session;
    auto& window = console.window;
    QTRY_VERIFY_WITH_TIMEOUT(session.upstreams().polls() > 0 && session.health().ready(), 30000);
    QCOMPARE(session.upstreams().rowCount(), 0);

    AddServerDialog dialog(work.path(), work.path(), &window);
    QVERIFY(!dialog.add_button()->isEnabled());
    dialog.program_edit()->setText(PRODMCP_FAKE_UPSTREAM_BINARY);
    QCOMPARE(dialog.name_edit()->text(), QString("prodmcp-fake-upstream"));  // from the program
    QTest::keyClicks(dialog.name_edit(), "x");  // typed: no longer suggested
    dialog.name_edit()->setText("mine");
    dialog.arguments_edit()->setText("--marker '" + work.filePath("a marker") + "'");
    dialog.environment_edit()->setPlainText("NOTES_DIR=/tmp");
    QVERIFY2(dialog.add_button()->isEnabled(), qPrintable(dialog.problem_label()->text()));
    auto const preview = dialog.preview()->toPlainText();
    QVERIFY2(preview.startsWith("[upstreams.mine]\ncommand = ") && preview.contains(work.filePath("a marker")),
             qPrintable(preview));
    dialog.environment_edit()->setPlainText("NOTES_DIR");
    QVERIFY(!dialog.add_button()->isEnabled());
    QVERIFY(dialog.problem_label()->text().contains("NAME=VALUE"));
    dialog.environment_edit()->setPlainText("NOTES_DIR=/tmp");

    auto* page = window.upstreams_page();
    QCOMPARE(page->add_to_config(dialog.drafts()), QString());
    QCOMPARE(window.config_page()->isVisible(), true);  // to check, save and apply
    auto& editor = session.config_editor();
    QVERIFY(editor.document().text().contains("[upstreams.mine]"));
    QCOMPARE(editor.document().error_count(), 0);
    // Twice is refused, the document untouched.
    QVERIFY(page->add_to_config(dialog.drafts()).contains("already has an upstream called \"mine\""));

    QSignalSpy finished(&editor.applier(), &ConfigApplier::finished);
    QString problem;
    QVERIFY2(editor.apply(&problem), qPrintable(problem));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
    QTRY_VERIFY_WITH_TIMEOUT(cell(session.upstreams(), "mine", UpstreamMonitor::kState) == "ready", 30000);
    QCOMPARE(cell(session.upstreams(), "mine", UpstreamMonitor::kTools), QString("11"));
  }

  // An mcp.json where VS Code keeps it: found, read, its servers ticked; a broken one says why.
  void importsAnMcpJsonFromWhereTheClientsKeepIt() {
    QTemporaryDir project;
    QDir().mkpath(project.filePath(".vscode"));
    QFile file(project.filePath(".vscode/mcp.json"));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("{\"servers\":{\"fs\":{\"type\":\"stdio\",\"command\":\"npx\",\"args\":[\"fs\"]},"
               "\"docs\":{\"type\":\"http\",\"url\":\"http://127.0.0.1:8000/mcp\"}}}");
    file.close();
    AddServerDialog dialog(project.filePath("home"), project.path());
    QCOMPARE(dialog.found_files()->count(), 1);
    QCOMPARE(dialog.tabs()->currentIndex(), int(AddServerDialog::kCommandTab));
    QCOMPARE(dialog.tabs()->tabText(AddServerDialog::kMcpJsonTab), QString("Import mcp.json (2 server(s))"));
    QCOMPARE(dialog.imported_servers()->count(), 2);
    dialog.tabs()->setCurrentIndex(AddServerDialog::kMcpJsonTab);
    QCOMPARE(dialog.drafts().size(), 2);
    dialog.imported_servers()->item(0)->setCheckState(Qt::Unchecked);
    QCOMPARE(dialog.drafts().size(), 1);
    QCOMPARE(dialog.drafts().first().name, QString("docs"));
    QVERIFY(dialog.preview()->toPlainText().startsWith("[upstreams.docs]\nurl = \"http://127.0.0.1:8000/mcp\""));

    auto const broken = project.filePath("broken.json");
    QFile bad(broken);
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("{\"mcpServers\":{\"x\":{\"args\":[]}}}");  // moc misreads raw strings: plain ones here
    bad.close();
    dialog.import_file(broken);
    QCOMPARE(dialog.imported_servers()->count(), 0);
    QVERIFY(!dialog.add_button()->isEnabled());
    QVERIFY2(dialog.problem_label()->text().contains("neither \"command\" nor \"url\""),
             qPrintable(dialog.problem_label()->text()));
  }

  // Each proxied call with its two legs; filtered by correlation id; a click away from its logs.
  void traceShowsBothLegsOfEachCall() {
    ConsoleOnUpstreams console(gateway_options());
    auto& session = console.session;
    QTRY_VERIFY_WITH_TIMEOUT(both_ready(session.upstreams()), 30000);
    QVERIFY(console.window.show_page("Trace"));
    auto* page = console.window.trace_page();
    LoadGenerator load;
    LoadPlan plan;
    plan.rate_per_second = 20;
    plan.duration_s = 1;
    plan.calls = {{"fake__echo", QJsonObject{{"message", "traced"}}}, {"fx__echo", QJsonObject{{"message", "traced"}}}};
    load.start(session.mcp_url(), plan);
    QTRY_VERIFY_WITH_TIMEOUT(!load.running() && session.trace().rowCount() >= load.stats().sent, 20000);
    QCOMPARE(session.trace().rowCount(), load.stats().sent);  // each call once
    auto const& first = session.trace().calls().front();
    QVERIFY(first.upstream == "fake" || first.upstream == "fx");
    QCOMPARE(first.method, QString("tools/call"));
    QCOMPARE(first.outcome, QString("ok"));
    QCOMPARE(first.legs.size(), 1);
    QVERIFY(first.legs.first().upstream_id > 0);
    QVERIFY(first.total_ms >= first.upstream_ms);

    // One correlation id: one call, in full.
    page->show_correlation_id(first.correlation_id);
    QCOMPARE(page->table()->model()->rowCount(), 1);
    page->table()->selectRow(0);
    auto const details = page->details()->toPlainText();
    QVERIFY2(details.contains("Client → gateway: JSON-RPC id") && details.contains("Gateway → " + first.upstream) &&
                 details.contains("The gateway itself added"),
             qPrintable(details));
    page->filter_edit()->setText("fx");
    QVERIFY(page->table()->model()->rowCount() > 0);
    QVERIFY(page->table()->model()->rowCount() < session.trace().rowCount());
    page->show_correlation_id(first.correlation_id);
    page->table()->selectRow(0);
    page->logs_button()->click();
    auto* logs = console.window.logs_page();
    QTRY_VERIFY_WITH_TIMEOUT(logs->isVisible() && logs->table()->model()->rowCount() > 0, 10000);
    QVERIFY(logs->query_edit()->text().contains(first.correlation_id));

    // And back: from a log line of that request to its trace.
    console.window.trace_page()->filter_edit()->clear();
    logs->table()->selectRow(0);
    logs->trace_button()->click();
    QVERIFY(page->isVisible());
    QCOMPARE(page->filter_edit()->text(), first.correlation_id);
    QCOMPARE(page->table()->model()->rowCount(), 1);

    // A call from the tool explorer says which upstream answered, and leads to its trace.
    auto* tools = console.window.tools_page();
    QVERIFY(console.window.show_page("Tools"));
    QTRY_VERIFY_WITH_TIMEOUT(tools->select_tool("fx__echo"), 10000);
    QVERIFY(tools->set_field("message", "from the explorer"));
    tools->call_button()->click();
    QTRY_VERIFY_WITH_TIMEOUT(tools->answer_label()->text().contains("answered by upstream <b>fx</b>"), 10000);
    QVERIFY(tools->trace_button()->isEnabled());
    tools->trace_button()->click();
    QVERIFY(page->isVisible());
    QTRY_COMPARE_WITH_TIMEOUT(page->table()->model()->rowCount(), 1, 10000);
    QCOMPARE(page->table()->model()->index(0, TraceModel::kUpstream).data().toString(), QString("fx"));

    // The console's own side of that call: what it sent and what came back.
    page->tabs()->setCurrentWidget(page->messages_table());
    QCOMPARE(page->messages_table()->model()->rowCount(), 1);
    page->messages_table()->selectRow(0);
    auto const exchange = page->details()->toPlainText();
    QVERIFY2(exchange.contains("tools/call fx__echo") && exchange.contains("Sent:") &&
                 exchange.contains("\"from the explorer\"") && exchange.contains("Received:"),
             qPrintable(exchange));
    QVERIFY(page->logs_button()->isEnabled());
  }

  // For docs/: calls to both upstreams, one of them failing.
  void screenshotOfTheTracePage() {
    auto const directory = qEnvironmentVariable("PRODMCP_SCREENSHOT_DIR");
    if (directory.isEmpty()) QSKIP("set PRODMCP_SCREENSHOT_DIR to write screenshots");
    ConsoleOnUpstreams console(gateway_options(true));
    QTRY_VERIFY_WITH_TIMEOUT(both_ready(console.session.upstreams()), 30000);
    QVERIFY(console.window.show_page("Trace"));
    LoadGenerator load;
    LoadPlan plan;
    plan.rate_per_second = 8;
    plan.duration_s = 4;
    plan.calls = {{"fake__echo", QJsonObject{{"message", "hello"}}}, {"fx__echo", QJsonObject{{"message", "hello"}}},
                  {"fake__slow", QJsonObject{{"ms", 30}}}};
    load.start(console.session.mcp_url(), plan);
    QTRY_VERIFY_WITH_TIMEOUT(!load.running(), 20000);
    QTest::qWait(1500);
    auto* table = console.window.trace_page()->table();
    table->selectRow(table->model()->rowCount() - 1);
    QTest::qWait(500);
    QVERIFY(console.window.grab().save(QDir(directory).filePath("console-trace.png")));
  }

  // Bring your server by the command line: everything after `--` is the stdio server, and the
  // console's server runs it as its child (a grandchild of the console).
  void bringsAServerGivenAfterTheDoubleDash() {
    QProcess console;
    auto environment = QProcessEnvironment::systemEnvironment();
    environment.insert("QT_QPA_PLATFORM", "offscreen");
    console.setProcessEnvironment(environment);
    console.start(PRODMCP_CONSOLE_BINARY, {"--server-binary", PRODMCP_SERVER_BINARY, "--page", "Upstreams", "--",
                                           PRODMCP_SERVER_BINARY, "--stdio", "--conformance-fixtures"});
    QVERIFY(console.waitForStarted(5000));
    // Stopped however the test ends, so no server outlives it.
    auto const stop = qScopeGuard([&] {
      if (console.state() == QProcess::NotRunning) return;
      ::kill(pid_t(console.processId()), SIGTERM);
      console.waitForFinished(40000);
    });
    // Children of every thread: the gateway starts its child from a worker thread.
    auto children_of = [](qint64 pid) {
      QList<qint64> pids;
      for (auto const& task : QDir(QStringLiteral("/proc/%1/task").arg(pid)).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile children(QStringLiteral("/proc/%1/task/%2/children").arg(pid).arg(task));
        if (!children.open(QIODevice::ReadOnly)) continue;
        for (auto const& word : children.readAll().trimmed().split(' '))
          if (word.toLongLong() > 0) pids << word.toLongLong();
      }
      return pids;
    };
    auto command_line = [](qint64 pid) {
      QFile file(QStringLiteral("/proc/%1/cmdline").arg(pid));
      return file.open(QIODevice::ReadOnly) ? file.readAll().replace('\0', ' ') : QByteArray();
    };
    // The stdio server, as the gateway's child.
    auto prototype = [&] {
      for (auto server : children_of(console.processId()))
        for (auto child : children_of(server))
          if (command_line(child).contains("--stdio --conformance-fixtures")) return child;
      return qint64(0);
    };
    QTRY_VERIFY_WITH_TIMEOUT(prototype() > 0, 30000);
    auto const pid = prototype();
    ::kill(pid_t(console.processId()), SIGTERM);
    QVERIFY(console.waitForFinished(40000));
    QCOMPARE(console.exitStatus(), QProcess::NormalExit);
    // Stopping the console stopped its server, and the server its child.
    QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(QStringLiteral("/proc/%1").arg(pid)), 10000);
  }

  void saysHowToPutAServerBehindAServerWithoutUpstreams() {
    ConsoleOptions options;
    options.launch.binary = PRODMCP_SERVER_BINARY;
    ConsoleOnUpstreams console(options);
    QTRY_VERIFY_WITH_TIMEOUT(console.session.upstreams().polls() > 0, 30000);
    QCOMPARE(console.session.upstreams().rowCount(), 0);
    auto* page = console.window.upstreams_page();
    QTRY_VERIFY(page->status_label()->text().contains("No upstream servers"));
    QVERIFY(!page->restart_button()->isEnabled());

    // The overview offers to put one's own server behind it: the Add server dialog, on Upstreams.
    auto* offer = console.window.overview_page()->own_server_button();
    QVERIFY(!offer->isHidden());
    QVERIFY(console.window.overview_page()->upstreams_label()->isHidden());
    QVERIFY(console.window.metrics_page()->chart("upstream_calls")->isHidden());
    bool dialog_seen = false;
    QTimer closer;
    closer.setInterval(50);
    QObject::connect(&closer, &QTimer::timeout, [&] {
      if (auto* dialog = qobject_cast<AddServerDialog*>(QApplication::activeModalWidget())) {
        dialog_seen = true;
        dialog->reject();
      }
    });
    closer.start();
    offer->click();  // returns when the dialog is closed
    QVERIFY(dialog_seen);
    QVERIFY(page->isVisible());
  }
};

QTEST_MAIN(GatewayPagesTest)
#include "gateway_pages_test.moc"
