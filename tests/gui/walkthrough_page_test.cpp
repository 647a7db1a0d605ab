// The walkthrough, offscreen, on a real prodmcp-server: from the development profile to production
// settings with auth, the steps marked done from what the server does, and the readiness score
// rising with the evidence.
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QtTest>

#include "main_window.hpp"
#include "upstreams/upstream_status.hpp"
#include "walkthrough_page.hpp"

using namespace prodmcp::console;

namespace {

ReadinessItem::State pillar_state(ConsoleSession& session, QString const& pillar) {
  for (auto const& item : session.readiness().items())
    if (item.pillar == pillar) return item.state;
  return ReadinessItem::State::kUnknown;
}

// An MCP request without a token: the HTTP status.
int anonymous_status(QUrl const& mcp_url) {
  QNetworkAccessManager network;
  QNetworkRequest request(mcp_url);
  request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
  request.setRawHeader("Accept", "application/json, text/event-stream");
  auto* reply = network.post(request, R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})");
  QSignalSpy finished(reply, &QNetworkReply::finished);
  finished.wait(5000);
  auto const status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  reply->deleteLater();
  return status;
}

}  // namespace

class WalkthroughPageTest : public QObject {
  Q_OBJECT
 private slots:
  void fromPrototypeToProduction() {
    ConsoleOptions options;
    options.launch.binary = PRODMCP_SERVER_BINARY;
    options.health_interval_ms = 300;
    ConsoleSession session(options);
    MainWindow window(session);
    window.show();
    session.begin();
    auto& server = session.supervisor()->server();
    QTRY_COMPARE_WITH_TIMEOUT(server.state(), SupervisedProcess::State::kRunning, 15000);
    auto* page = window.walkthrough_page();
    auto& walkthrough = session.walkthrough();

    page->step_button(Walkthrough::kDevelopment)->click();
    QTRY_VERIFY_WITH_TIMEOUT(walkthrough.steps()[Walkthrough::kDevelopment].done, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(pillar_state(session, "Authentication"), ReadinessItem::State::kNotMet, 10000);
    QCOMPARE(pillar_state(session, "Production profile"), ReadinessItem::State::kNotMet);
    QCOMPARE(anonymous_status(session.mcp_url()), 200);
    auto const prototype_score = session.readiness().score();

    page->step_button(Walkthrough::kTraffic)->click();
    QTRY_VERIFY_WITH_TIMEOUT(walkthrough.steps()[Walkthrough::kTraffic].done, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(pillar_state(session, "Correlation ids on every request"), ReadinessItem::State::kMet, 10000);
    page->step_button(Walkthrough::kStruggle)->click();
    QTRY_VERIFY_WITH_TIMEOUT(walkthrough.steps()[Walkthrough::kStruggle].done &&
                                 session.faults().state().error_rate > 0, 10000);
    page->step_button(Walkthrough::kRecover)->click();
    QTRY_VERIFY_WITH_TIMEOUT(walkthrough.steps()[Walkthrough::kRecover].done, 10000);
    session.load().stop();

    // Production: a config with auth, the production profile, a restart; the console's own
    // clients carry the new token, everyone else is refused.
    page->step_button(Walkthrough::kProduction)->click();
    QTRY_VERIFY_WITH_TIMEOUT(walkthrough.steps()[Walkthrough::kProduction].done, 30000);
    QVERIFY(!walkthrough.production_token().isEmpty());
    QCOMPARE(anonymous_status(session.mcp_url()), 401);
    QTRY_VERIFY_WITH_TIMEOUT(session.health().latest(HealthPoller::kMcpRoundTrip) &&
                                 session.health().latest(HealthPoller::kMcpRoundTrip)->state == CheckState::kHealthy,
                             10000);
    QTRY_COMPARE_WITH_TIMEOUT(pillar_state(session, "Authentication"), ReadinessItem::State::kMet, 10000);
    QCOMPARE(pillar_state(session, "Production profile"), ReadinessItem::State::kMet);
    QVERIFY2(session.readiness().score() > prototype_score,
             qPrintable(QStringLiteral("%1 -> %2").arg(prototype_score).arg(session.readiness().score())));
    QVERIFY(page->score_label()->text().contains(QString::number(session.readiness().score()) + "%"));
    // The production profile refuses the fault switches.
    session.faults().refresh();
    QTRY_VERIFY_WITH_TIMEOUT(session.faults().state().known && !session.faults().state().allowed, 10000);
    QDir(QFileInfo(walkthrough.production_config_path()).absolutePath()).removeRecursively();
  }

  // With a server of the user's behind the gateway (from their config file), the walkthrough is
  // about it: the load calls its tools, the struggle kills it once and the gateway restarts it,
  // and the production config keeps it.
  void yourServerFromPrototypeToProduction() {
    QTemporaryDir dir;
    auto const config = dir.filePath("mine.toml");
    QFile file(config);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QStringLiteral("[upstreams.fx]\ncommand = \"%1\"\nargs = [\"--stdio\", \"--conformance-fixtures\"]\n"
                              "restart_backoff_ms = 300\n").arg(PRODMCP_SERVER_BINARY).toUtf8());
    file.close();
    ConsoleOptions options;
    options.launch.binary = PRODMCP_SERVER_BINARY;
    options.launch.config_file = config;
    options.health_interval_ms = 300;
    ConsoleSession session(options);
    MainWindow window(session);
    window.show();
    session.begin();
    auto fx_ready = [&] {
      auto const* fx = session.upstreams().find("fx");
      return fx && fx->display_state() == UpstreamState::kReady;
    };
    QTRY_VERIFY_WITH_TIMEOUT(fx_ready(), 30000);
    auto* page = window.walkthrough_page();
    auto& walkthrough = session.walkthrough();
    QTRY_VERIFY(walkthrough.about_your_server());
    QVERIFY(walkthrough.steps()[Walkthrough::kDevelopment].title.contains("your server"));

    page->step_button(Walkthrough::kDevelopment)->click();
    QTRY_VERIFY_WITH_TIMEOUT(walkthrough.steps()[Walkthrough::kDevelopment].done && fx_ready(), 30000);
    QCOMPARE(session.supervisor()->options().config_file, config);

    page->step_button(Walkthrough::kTraffic)->click();
    QTRY_VERIFY_WITH_TIMEOUT(walkthrough.steps()[Walkthrough::kTraffic].done, 15000);
    auto to_fx = [&] {
      for (auto const& call : session.trace().calls())
        if (call.upstream == "fx") return true;
      return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(to_fx(), 15000);

    auto const restarts = session.upstreams().find("fx")->restarts;
    page->step_button(Walkthrough::kStruggle)->click();
    QTRY_VERIFY_WITH_TIMEOUT(walkthrough.steps()[Walkthrough::kStruggle].done, 30000);
    QVERIFY(session.upstreams().find("fx")->restarts > restarts);
    bool killed = false;
    for (auto const& event : session.events().events()) killed = killed || event.kind == "upstream_killed";
    QVERIFY(killed);
    page->step_button(Walkthrough::kRecover)->click();
    QTRY_VERIFY_WITH_TIMEOUT(walkthrough.steps()[Walkthrough::kRecover].done, 30000);
    session.load().stop();

    page->step_button(Walkthrough::kProduction)->click();
    QTRY_VERIFY_WITH_TIMEOUT(walkthrough.steps()[Walkthrough::kProduction].done, 40000);
    QCOMPARE(anonymous_status(session.mcp_url()), 401);
    QVERIFY(fx_ready());
    QFile production(walkthrough.production_config_path());
    QVERIFY(production.open(QIODevice::ReadOnly));
    auto const text = QString::fromUtf8(production.readAll());
    QVERIFY2(text.contains("[upstreams.fx]") && text.contains("--conformance-fixtures") && text.contains("console"),
             qPrintable(text));
    QDir(QFileInfo(walkthrough.production_config_path()).absolutePath()).removeRecursively();
  }

  // Not a check: the page for docs/ when PRODMCP_SCREENSHOT_DIR is set.
  void screenshotOfTheWalkthrough() {
    auto const directory = qEnvironmentVariable("PRODMCP_SCREENSHOT_DIR");
    if (directory.isEmpty()) QSKIP("set PRODMCP_SCREENSHOT_DIR to write screenshots");
    ConsoleOptions options;
    options.launch.binary = PRODMCP_SERVER_BINARY;
    options.health_interval_ms = 500;
    ConsoleSession session(options);
    MainWindow window(session);
    window.resize(1280, 800);
    window.show();
    session.begin();
    QTRY_COMPARE_WITH_TIMEOUT(session.supervisor()->server().state(), SupervisedProcess::State::kRunning, 15000);
    window.show_page("Walkthrough");
    auto& walkthrough = session.walkthrough();
    walkthrough.run(Walkthrough::kTraffic);
    QTest::qWait(3000);
    walkthrough.run(Walkthrough::kStruggle);
    QTest::qWait(1500);
    walkthrough.run(Walkthrough::kRecover);
    QTest::qWait(1000);
    walkthrough.run(Walkthrough::kProduction);
    QTRY_VERIFY_WITH_TIMEOUT(walkthrough.steps()[Walkthrough::kProduction].done, 30000);
    walkthrough.run(Walkthrough::kTraffic);
    QTest::qWait(4000);
    session.readiness().refresh();
    QTest::qWait(500);
    QVERIFY(window.grab().save(QDir(directory).filePath("console-walkthrough.png")));
    session.load().stop();
    QDir(QFileInfo(walkthrough.production_config_path()).absolutePath()).removeRecursively();
  }

  // Not a check: the walkthrough about a server of one's own, for docs/.
  void screenshotOfTheWalkthroughWithYourServer() {
    auto const directory = qEnvironmentVariable("PRODMCP_SCREENSHOT_DIR");
    if (directory.isEmpty()) QSKIP("set PRODMCP_SCREENSHOT_DIR to write screenshots");
    // The program by name (found on PATH), so no build path shows.
    QFileInfo const server(PRODMCP_SERVER_BINARY);
    qputenv("PATH", (server.absolutePath() + ':' + qEnvironmentVariable("PATH")).toLocal8Bit());
    QTemporaryDir dir;
    QFile file(dir.filePath("notes.toml"));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("[upstreams.notes]\ncommand = \"prodmcp-server\"\nargs = [\"--stdio\", \"--conformance-fixtures\"]\n"
               "restart_backoff_ms = 300\n");
    file.close();
    ConsoleOptions options;
    options.launch.binary = PRODMCP_SERVER_BINARY;
    options.launch.config_file = file.fileName();
    options.health_interval_ms = 500;
    ConsoleSession session(options);
    MainWindow window(session);
    window.resize(1280, 800);
    window.show();
    session.begin();
    auto& walkthrough = session.walkthrough();
    QTRY_VERIFY_WITH_TIMEOUT(walkthrough.about_your_server(), 30000);
    window.show_page("Walkthrough");
    walkthrough.run(Walkthrough::kTraffic);
    QTest::qWait(3000);
    walkthrough.run(Walkthrough::kStruggle);
    QTRY_VERIFY_WITH_TIMEOUT(walkthrough.steps()[Walkthrough::kStruggle].done, 30000);
    walkthrough.run(Walkthrough::kRecover);
    QTRY_VERIFY_WITH_TIMEOUT(walkthrough.steps()[Walkthrough::kRecover].done, 30000);
    walkthrough.run(Walkthrough::kProduction);
    QTRY_VERIFY_WITH_TIMEOUT(walkthrough.steps()[Walkthrough::kProduction].done, 30000);
    walkthrough.run(Walkthrough::kTraffic);
    QTest::qWait(4000);
    session.readiness().refresh();
    QTest::qWait(500);
    QVERIFY(window.grab().save(QDir(directory).filePath("console-walkthrough-your-server.png")));
    session.load().stop();
    QDir(QFileInfo(walkthrough.production_config_path()).absolutePath()).removeRecursively();
  }
};

QTEST_MAIN(WalkthroughPageTest)
#include "walkthrough_page_test.moc"
