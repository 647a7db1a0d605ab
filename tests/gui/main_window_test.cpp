#include <signal.h>

#include <QtTest>

#include "main_window.hpp"

class MainWindowTest : public QObject {
  Q_OBJECT
 private slots:
  void startsProbesAndStopsARealServer() {
    MainWindow window;
    window.server().setBinary(PRODMCP_SERVER_BINARY);
    window.show();
    window.server().start();
    QTRY_COMPARE_WITH_TIMEOUT(window.server().state(), ServerProcess::State::Running, 15000);
    QVERIFY(window.server().pid() > 0);
    // The protocol-level probe lists the server's tools through the real HTTP transport.
    QTRY_VERIFY_WITH_TIMEOUT(window.toolList()->count() >= 4, 15000);
    QVERIFY(!window.toolList()->findItems("echo", Qt::MatchExactly).isEmpty());
    QVERIFY(window.probeLabel()->text().contains("serving MCP"));
    QTRY_VERIFY_WITH_TIMEOUT(window.logView()->toPlainText().contains("\"event\":\"listening\""), 5000);

    window.server().stop();
    QTRY_COMPARE_WITH_TIMEOUT(window.server().state(), ServerProcess::State::Stopped, 15000);
    QCOMPARE(window.toolList()->count(), 0);
    QVERIFY(window.logView()->toPlainText().contains("\"event\":\"stopped\""));
  }

  void reportsACrash() {
    MainWindow window;
    window.server().setBinary(PRODMCP_SERVER_BINARY);
    window.server().start();
    QTRY_COMPARE_WITH_TIMEOUT(window.server().state(), ServerProcess::State::Running, 15000);
    ::kill(static_cast<pid_t>(window.server().pid()), SIGKILL);
    QTRY_COMPARE_WITH_TIMEOUT(window.server().state(), ServerProcess::State::Crashed, 15000);
    QVERIFY(window.server().lastExitReason().contains("signal"));
    QVERIFY(window.stateLabel()->text().contains("crashed"));
  }

  void reportsAMissingBinary() {
    MainWindow window;
    window.server().setBinary("/nonexistent/prodmcp-server");
    window.server().start();
    QTRY_COMPARE_WITH_TIMEOUT(window.server().state(), ServerProcess::State::Crashed, 5000);
    QVERIFY(window.server().lastExitReason().contains("could not start"));
  }
};

QTEST_MAIN(MainWindowTest)
#include "main_window_test.moc"
