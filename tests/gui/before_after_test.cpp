// Before and after on real servers: the console sends the same load to the user's server directly
// (its own MCP client: a stdio process of its own, or a Streamable HTTP session) and through the
// gateway, and shows both side by side with what the gateway did.
#include <signal.h>

#include <QTcpServer>
#include <QtTest>

#include "admin/admin_request.hpp"
#include "comparison_panel.hpp"
#include "demo_page.hpp"
#include "gui/gateway_console.hpp"
#include "time_series_chart.hpp"

using namespace prodmcp::console;
using namespace prodmcp::console::testing;

namespace {

// Ticks the tools named in `mix` and no other; how many of them the table has.
int tick_only(QTableWidget* tools, QStringList const& mix) {
  int found = 0;
  for (int row = 0; row < tools->rowCount(); ++row) {
    auto* item = tools->item(row, ComparisonPanel::kToolName);
    item->setCheckState(mix.contains(item->text()) ? Qt::Checked : Qt::Unchecked);
    found += mix.contains(item->text()) ? 1 : 0;
  }
  return found;
}

// Runs the comparison as set on the panel to its end, in a real event loop (QTRY_ polls events
// every 10 ms: every latency would be 10 ms).
bool run_to_the_end(ConsoleSession& session, ComparisonPanel* panel, int timeout_ms) {
  QSignalSpy finished(&session.comparison(), &ComparisonRun::finished);
  panel->run_button()->click();
  return finished.wait(timeout_ms);
}

// Empty when both sides sent more than 40 calls and every one was answered ok; else the side's
// whole table, to say what went wrong.
QString unless_every_call_answered(ComparisonPanel const* panel) {
  for (auto side : {ComparisonPanel::kDirectSide, ComparisonPanel::kGatewaySide}) {
    auto const sent = panel->figure("Calls sent", side).toInt();
    if (sent > 40 && panel->figure("Answered ok", side).section(' ', 0, 0).toInt() == sent) continue;
    QStringList figures;
    for (int row = 0; row < panel->figures_table()->rowCount(); ++row)
      figures << panel->figures_table()->item(row, 0)->text() + ": " + panel->figures_table()->item(row, 1 + side)->text();
    return figures.join("; ");
  }
  return {};
}

}  // namespace

class BeforeAfterTest : public QObject {
  Q_OBJECT
 private slots:
  // Before and after: the fixtures server (standing in for a prototype) called directly, then
  // through the gateway, killed halfway through each side. Directly, every call after the kill
  // fails; through the gateway a few fail, the child restarts and the rest are answered.
  void comparesThePrototypeDirectlyAndThroughTheGatewayWithAKillHalfway() {
    // The gateway with auth on: calls without the token are refused there, served directly.
    auto options = gateway_options();
    options.bearer_token = QString::fromLatin1(random_token());
    options.launch.extra_arguments += {"--set", "auth.enabled=true", "--set",
                                       "auth.clients=console=" + token_hash(options.bearer_token.toUtf8())};
    ConsoleOnUpstreams console(options);
    auto& session = console.session;
    QTRY_VERIFY_WITH_TIMEOUT(both_ready(session.upstreams()), 30000);
    auto const restarts_before = session.upstreams().find("fx")->restarts;
    QVERIFY(console.window.show_page("Demo"));
    console.window.demo_page()->show_comparison();
    auto* panel = console.window.demo_page()->comparison();
    QTRY_VERIFY_WITH_TIMEOUT(panel->upstream_box()->findText("fx") >= 0, 10000);
    panel->upstream_box()->setCurrentText("fx");
    QTRY_VERIFY(panel->target_label()->text().contains("--conformance-fixtures"));
    auto* tools = panel->tools_table();
    QTRY_VERIFY_WITH_TIMEOUT(tools->rowCount() > 5, 30000);
    // Arguments come from each tool's schema; the gateway's names carry its prefix.
    QCOMPARE(tick_only(tools, {"test_simple_text"}), 1);
    int simple_text = 0;
    while (tools->item(simple_text, ComparisonPanel::kToolName)->text() != "test_simple_text") ++simple_text;
    QCOMPARE(tools->item(simple_text, ComparisonPanel::kToolExposedAs)->text(), QString("fx__test_simple_text"));
    QCOMPARE(tools->item(simple_text, ComparisonPanel::kToolArguments)->text(), QString("{}"));

    // Bad arguments are refused before anything starts.
    tools->item(simple_text, ComparisonPanel::kToolArguments)->setText("{not json");
    panel->run_button()->click();
    QVERIFY2(panel->status_label()->text().contains("the arguments of test_simple_text must be a JSON object"),
             qPrintable(panel->status_label()->text()));
    QVERIFY(!session.comparison().running());
    tools->item(simple_text, ComparisonPanel::kToolArguments)->setText("{}");

    panel->rate_box()->setValue(20);
    panel->duration_box()->setValue(6);
    panel->kill_box()->setChecked(true);
    panel->anonymous_box()->setChecked(true);
    QVERIFY(run_to_the_end(session, panel, 90000));
    QVERIFY2(session.comparison().problem().isEmpty(), qPrintable(session.comparison().problem()));

    auto const number = [&](QString const& figure, ComparisonPanel::Side side) {
      return panel->figure(figure, side).section(' ', 0, 0).toInt();
    };
    int const sent_directly = number("Calls sent", ComparisonPanel::kDirectSide);
    int const sent_through = number("Calls sent", ComparisonPanel::kGatewaySide);
    QVERIFY2(sent_directly > 60 && sent_through > 60, qPrintable(QString("%1, %2").arg(sent_directly).arg(sent_through)));
    int const ok_directly = number("Answered ok", ComparisonPanel::kDirectSide);
    int const ok_through = number("Answered ok", ComparisonPanel::kGatewaySide);
    auto const direct_fault = panel->figure("Halfway", ComparisonPanel::kDirectSide);
    QVERIFY2(direct_fault.contains("killed the prototype") && direct_fault.contains("every later call failed"),
             qPrintable(direct_fault));
    QVERIFY2(panel->figure("Halfway", ComparisonPanel::kGatewaySide).contains("the gateway restarted it"),
             qPrintable(panel->figure("Halfway", ComparisonPanel::kGatewaySide)));
    // Directly, every call after the kill failed; through the gateway most of them were answered.
    QVERIFY2(number("Failed", ComparisonPanel::kDirectSide) > sent_directly / 3,
             qPrintable(panel->figure("Failed", ComparisonPanel::kDirectSide)));
    QVERIFY2(ok_directly < sent_directly * 2 / 3, qPrintable(QString::number(ok_directly)));
    QVERIFY2(ok_through > ok_directly, qPrintable(QString("%1 through, %2 directly").arg(ok_through).arg(ok_directly)));
    QVERIFY2(number("Restarts", ComparisonPanel::kGatewaySide) >= 1,
             qPrintable(panel->figure("Restarts", ComparisonPanel::kGatewaySide)));
    QVERIFY(!panel->figure("Circuit breaker", ComparisonPanel::kGatewaySide).isEmpty());
    QCOMPARE(number("No valid token (401)", ComparisonPanel::kDirectSide), 0);
    auto const anonymous_through = panel->figure("Without a token", ComparisonPanel::kGatewaySide);
    QVERIFY2(anonymous_through.startsWith(QString::number(sent_through / 10) + " sent, 0 served"), qPrintable(anonymous_through));
    QCOMPARE(number("No valid token (401)", ComparisonPanel::kGatewaySide), sent_through / 10);
    auto const anonymous_directly = panel->figure("Without a token", ComparisonPanel::kDirectSide);
    QVERIFY2(anonymous_directly.section(' ', 2, 2).toInt() > 0, qPrintable(anonymous_directly));
    QVERIFY2(panel->headline_label()->text().contains("through the gateway"), qPrintable(panel->headline_label()->text()));
    QTRY_VERIFY_WITH_TIMEOUT(session.upstreams().find("fx")->restarts > restarts_before, 10000);
    // Both sides on the charts, on one scale; each step on the timeline.
    for (auto side : {ComparisonPanel::kDirectSide, ComparisonPanel::kGatewaySide}) {
      QVERIFY(!panel->chart(ComparisonPanel::kThroughputRow, side)->lines().isEmpty());
      QVERIFY(!panel->chart(ComparisonPanel::kLatencyRow, side)->lines().first().points.isEmpty());
    }
    int kills = 0;
    for (auto const& event : session.events().events()) kills += event.kind == "prototype_killed";
    QCOMPARE(kills, 2);
    QVERIFY(timeline_has(session, "comparison_finished", "fx"));
  }

  // Before and after with server-everything over stdio: the console starts its own copy of it
  // (node) for the direct side, the gateway its child for the other.
  void comparesServerEverythingOverStdio() {
    auto const script = QStringLiteral(PRODMCP_CONFORMANCE_DIR "/node_modules/@modelcontextprotocol/server-everything/dist/index.js");
    QVERIFY2(QFile::exists(script), "run 'npm ci' in tests/conformance (the README's test command does)");
    ConsoleOptions options;
    options.launch.binary = PRODMCP_SERVER_BINARY;
    options.health_interval_ms = 300;
    options.launch.extra_arguments = {"--upstream",
                                      QStringLiteral("everything=%1 %2 stdio").arg(PRODMCP_CONFORMANCE_DIR "/node_modules/node22/bin/node", script),
                                      "--set", "rate_limit.requests_per_minute=6000"};
    ConsoleOnUpstreams console(options);
    auto& session = console.session;
    QTRY_VERIFY_WITH_TIMEOUT(cell(session.upstreams(), "everything", UpstreamMonitor::kState) == "ready", 30000);
    QVERIFY(console.window.show_page("Demo"));
    console.window.demo_page()->show_comparison();
    auto* panel = console.window.demo_page()->comparison();
    QTRY_VERIFY_WITH_TIMEOUT(panel->upstream_box()->currentText() == "everything", 10000);
    QVERIFY2(panel->target_label()->text().contains("the console starts") && panel->target_label()->text().contains("stdio"),
             qPrintable(panel->target_label()->text()));
    auto* tools = panel->tools_table();
    QTRY_VERIFY_WITH_TIMEOUT(tools->rowCount() > 3, 30000);
    QCOMPARE(tick_only(tools, {"echo", "get-sum"}), 2);
    panel->rate_box()->setValue(20);
    panel->duration_box()->setValue(4);
    QVERIFY(run_to_the_end(session, panel, 60000));
    QVERIFY2(session.comparison().problem().isEmpty(), qPrintable(session.comparison().problem()));
    auto const problem = unless_every_call_answered(panel);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
  }

  // Before and after with a remote server: server-everything over Streamable HTTP, reached
  // directly through a session of the console's own and through the gateway.
  void comparesARemoteServerOverHttp() {
    auto const script = QStringLiteral(PRODMCP_CONFORMANCE_DIR "/node_modules/@modelcontextprotocol/server-everything/dist/index.js");
    QVERIFY2(QFile::exists(script), "run 'npm ci' in tests/conformance (the README's test command does)");
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    auto const port = probe.serverPort();
    probe.close();
    QProcess everything;
    auto environment = QProcessEnvironment::systemEnvironment();
    environment.insert("PORT", QString::number(port));
    everything.setProcessEnvironment(environment);
    everything.setProcessChannelMode(QProcess::MergedChannels);
    everything.start(PRODMCP_CONFORMANCE_DIR "/node_modules/node22/bin/node", {script, "streamableHttp"});
    QByteArray output;
    QTRY_VERIFY_WITH_TIMEOUT((output += everything.readAll()).contains("listening on port"), 30000);
    auto const stop = qScopeGuard([&] {
      everything.kill();
      everything.waitForFinished(5000);
    });
    auto const url = QStringLiteral("http://127.0.0.1:%1/mcp").arg(port);

    ConsoleOptions options;
    options.launch.binary = PRODMCP_SERVER_BINARY;
    options.health_interval_ms = 300;
    options.launch.extra_arguments = {"--upstream", "everything=" + url, "--set", "rate_limit.requests_per_minute=6000"};
    ConsoleOnUpstreams console(options);
    auto& session = console.session;
    QTRY_VERIFY_WITH_TIMEOUT(cell(session.upstreams(), "everything", UpstreamMonitor::kState) == "ready", 30000);
    QVERIFY(console.window.show_page("Demo"));
    console.window.demo_page()->show_comparison();
    auto* panel = console.window.demo_page()->comparison();
    QTRY_VERIFY_WITH_TIMEOUT(panel->upstream_box()->currentText() == "everything", 10000);
    QVERIFY2(panel->target_label()->text().contains("a session with " + url), qPrintable(panel->target_label()->text()));
    auto* tools = panel->tools_table();
    QTRY_VERIFY_WITH_TIMEOUT(tools->rowCount() > 3, 30000);
    QCOMPARE(tick_only(tools, {"echo"}), 1);
    int echo = 0;
    while (tools->item(echo, ComparisonPanel::kToolName)->text() != "echo") ++echo;
    QCOMPARE(tools->item(echo, ComparisonPanel::kToolExposedAs)->text(), QString("echo"));  // the only upstream: no prefix
    QVERIFY2(tools->item(echo, ComparisonPanel::kToolArguments)->text().contains("\"message\""),
             qPrintable(tools->item(echo, ComparisonPanel::kToolArguments)->text()));
    panel->rate_box()->setValue(20);
    panel->duration_box()->setValue(4);
    QVERIFY(run_to_the_end(session, panel, 60000));
    QVERIFY2(session.comparison().problem().isEmpty(), qPrintable(session.comparison().problem()));
    auto const problem = unless_every_call_answered(panel);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
  }

  // For docs/: the before/after of the fixtures server, killed halfway through each side.
  void screenshotOfTheComparison() {
    auto const directory = qEnvironmentVariable("PRODMCP_SCREENSHOT_DIR");
    if (directory.isEmpty()) QSKIP("set PRODMCP_SCREENSHOT_DIR to write screenshots");
    ConsoleOnUpstreams console(gateway_options(true));
    QTRY_VERIFY_WITH_TIMEOUT(both_ready(console.session.upstreams()), 30000);
    QVERIFY(console.window.show_page("Demo"));
    console.window.demo_page()->show_comparison();
    auto* panel = console.window.demo_page()->comparison();
    QTRY_VERIFY_WITH_TIMEOUT(panel->upstream_box()->findText("fx") >= 0, 10000);
    panel->upstream_box()->setCurrentText("fx");
    auto* tools = panel->tools_table();
    QTRY_VERIFY_WITH_TIMEOUT(tools->rowCount() > 5, 30000);
    QCOMPARE(tick_only(tools, {"test_simple_text", "test_image_content", "test_embedded_resource", "test_error_handling"}), 4);
    tools->scrollToItem(tools->findItems("test_simple_text", Qt::MatchExactly).first(), QAbstractItemView::PositionAtTop);
    panel->rate_box()->setValue(40);
    panel->duration_box()->setValue(20);
    panel->kill_box()->setChecked(true);
    QVERIFY(run_to_the_end(console.session, panel, 120000));
    QTest::qWait(1000);
    QVERIFY(console.window.grab().save(QDir(directory).filePath("console-before-after.png")));
  }

};

QTEST_MAIN(BeforeAfterTest)
#include "before_after_test.moc"
