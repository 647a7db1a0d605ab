// The small models of the console (events timeline, fleet) under QAbstractItemModelTester, and the
// fleet's alert levels against a server that does not answer.
#include <gtest/gtest.h>

#include <QAbstractItemModelTester>
#include <QSettings>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include "events/event_log.hpp"
#include "fleet/fleet_monitor.hpp"
#include "fleet/fleet_settings.hpp"
#include "health/health_model.hpp"
#include "health/health_poller.hpp"

using namespace prodmcp::console;

TEST(EventLog, AppendsNewestLastAndTheTimeFilterNarrowsIt) {
  EventLog log;
  QAbstractItemModelTester tester(&log, QAbstractItemModelTester::FailureReportingMode::Fatal);
  EventTimeFilter filter;
  filter.setSourceModel(&log);
  QAbstractItemModelTester filter_tester(&filter, QAbstractItemModelTester::FailureReportingMode::Fatal);
  log.add({1'000, EventSeverity::kInfo, "prodmcp-server", "start", "starting"});
  log.add({2'000, EventSeverity::kWarning, "prodmcp-server", "exit", "killed by a signal"});
  log.add({3'000, EventSeverity::kCritical, "alerts", "alert_firing", "MCPServerDown"});
  EXPECT_EQ(log.rowCount(), 3);
  EXPECT_EQ(log.index(2, EventLog::kKind).data().toString(), "alert_firing");
  EXPECT_EQ(log.index(1, EventLog::kSeverity).data().toString(), "warning");
  filter.set_time_range(1'500, 2'500);
  ASSERT_EQ(filter.rowCount(), 1);
  EXPECT_EQ(filter.index(0, EventLog::kMessage).data().toString(), "killed by a signal");
  filter.clear_time_range();
  EXPECT_EQ(filter.rowCount(), 3);
}

TEST(EventLog, IsBounded) {
  EventLog log;
  for (std::size_t i = 0; i < EventLog::kCapacity + 5; ++i)
    log.add({qint64(i), EventSeverity::kInfo, "test", "tick", QString::number(i)});
  EXPECT_EQ(std::size_t(log.rowCount()), EventLog::kCapacity);
  EXPECT_EQ(log.index(0, EventLog::kMessage).data().toString(), "5");  // the oldest went first
}

TEST(FleetMonitor, AlertLevelsFollowConsecutiveFailedChecks) {
  // A port with nobody listening: every check fails at once (connection refused).
  QTcpServer placeholder;
  ASSERT_TRUE(placeholder.listen(QHostAddress::LocalHost, 0));
  QUrl const dead(QStringLiteral("http://127.0.0.1:%1").arg(placeholder.serverPort()));
  placeholder.close();

  FleetMonitor fleet;
  QAbstractItemModelTester tester(&fleet, QAbstractItemModelTester::FailureReportingMode::Fatal);
  fleet.set_interval_ms(60'000);  // checks are driven by hand below
  fleet.set_timeout_ms(2000);
  std::vector<FleetAlert> alerts;
  QObject::connect(&fleet, &FleetMonitor::alert_changed,
                   [&](QString const&, FleetAlert alert, QString const&) { alerts.push_back(alert); });
  fleet.add({"staging", "staging", dead, {}, false});
  auto const failures = [&] { return fleet.members()[0].consecutive_failures; };
  ASSERT_TRUE(QTest::qWaitFor([&] { return failures() == 1; }, 5000));
  EXPECT_EQ(fleet.index(0, FleetMonitor::kStatus).data().toString(), "down");
  EXPECT_EQ(fleet.members()[0].health_score(), 0);
  for (int expected = 2; expected <= 5; ++expected) {
    fleet.check_all();
    ASSERT_TRUE(QTest::qWaitFor([&] { return failures() == expected; }, 5000)) << expected;
  }
  EXPECT_EQ(alerts, (std::vector<FleetAlert>{FleetAlert::kMedium, FleetAlert::kHigh}));
  EXPECT_EQ(fleet.index(0, FleetMonitor::kAlert).data().toString(), "high");
  EXPECT_EQ(fleet.index(0, FleetMonitor::kAvailability).data().toString(), "0.0 %");
  fleet.remove(0);
  EXPECT_EQ(fleet.rowCount(), 0);
}

TEST(FleetStatus, HealthScoreWeighsAvailabilityResponseAndReadiness) {
  FleetStatus status;
  EXPECT_EQ(status.health_score(), -1);  // not checked yet
  for (int i = 0; i < 10; ++i) status.recent.push_back({true, true, 50});
  EXPECT_EQ(status.health_score(), 100);
  status.recent.back().ready = false;
  EXPECT_EQ(status.health_score(), 85);  // readiness is 15 of 100
  status.recent.clear();
  for (int i = 0; i < 10; ++i) status.recent.push_back({i % 2 == 0, true, 1050});
  // availability 50% -> 30; mean response 1050 ms -> half of 25; the last check was ready -> 15.
  EXPECT_EQ(status.health_score(), 30 + 13 + 15);
  status.consecutive_failures = 5;
  EXPECT_EQ(status.health_score(), 0);
  EXPECT_EQ(status.alert(), FleetAlert::kHigh);
}

TEST(FleetSettings, AddedServersSurviveARestartButNotTheSupervisedOne) {
  QTemporaryDir dir;
  QSettings settings(dir.filePath("console.ini"), QSettings::IniFormat);
  {
    FleetMonitor fleet;
    fleet.add({"local", "development", {}, {}, true});
    fleet.add({"prod-eu", "production", QUrl("http://127.0.0.1:9"), QUrl("http://127.0.0.1:9/mcp"), false});
    save_fleet(fleet, settings);
  }
  settings.sync();
  FleetMonitor restored;
  EXPECT_EQ(load_fleet(restored, settings), 1);
  ASSERT_EQ(restored.members().size(), 1u);
  auto const& target = restored.members()[0].target;
  EXPECT_EQ(target.name, "prod-eu");
  EXPECT_EQ(target.environment, "production");
  EXPECT_EQ(target.admin_url, QUrl("http://127.0.0.1:9"));
  EXPECT_EQ(target.mcp_url, QUrl("http://127.0.0.1:9/mcp"));
  EXPECT_FALSE(target.supervised);
}

// The health table as polls come in (replayed, as from a recording): rows appear when an upstream
// is added, each row's state, latency, detail and history follow, all under the model tester.
TEST(HealthModel, FollowsEachPollUnderTheModelTester) {
  HealthPoller poller;
  HealthModel model(poller);
  QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
  EXPECT_EQ(model.rowCount(), 0);
  auto sample = [](qint64 t, CheckState state, double latency, QString detail) {
    return CheckSample{t, state, latency, std::move(detail)};
  };
  poller.replay_poll({{HealthPoller::kLiveness, sample(1000, CheckState::kHealthy, 1.5, "HTTP 200 healthy")},
                      {"redis", sample(1000, CheckState::kDegraded, 0.2, "not configured")}},
                     true, false);
  ASSERT_EQ(model.rowCount(), 2);
  auto row_of = [&](QString const& name) {
    for (int row = 0; row < model.rowCount(); ++row)
      if (model.index(row, HealthModel::kName).data().toString() == name) return row;
    return -1;
  };
  int const redis = row_of("redis");
  ASSERT_GE(redis, 0);
  EXPECT_EQ(model.index(redis, HealthModel::kState).data().toString(), "degraded");
  EXPECT_EQ(model.index(redis, HealthModel::kDetail).data().toString(), "not configured");
  EXPECT_EQ(model.index(redis, HealthModel::kState).data(HealthModel::kStateRole).toInt(), int(CheckState::kDegraded));

  // An upstream appears: a row more; the others keep their history.
  poller.replay_poll({{HealthPoller::kLiveness, sample(2000, CheckState::kHealthy, 1.2, "HTTP 200 healthy")},
                      {"redis", sample(2000, CheckState::kHealthy, 0.1, "up")},
                      {"mcp_servers: notes", sample(2000, CheckState::kUnhealthy, 0, "starting")}},
                     false, false);
  ASSERT_EQ(model.rowCount(), 3);
  EXPECT_EQ(model.index(row_of("redis"), HealthModel::kState).data().toString(), "healthy");
  EXPECT_EQ(model.index(row_of("redis"), HealthModel::kHistory).data(HealthModel::kHistoryRole).toList().size(), 2);
  EXPECT_EQ(model.index(row_of("mcp_servers: notes"), HealthModel::kState).data().toString(), "unhealthy");
  EXPECT_FALSE(poller.ready());
}
