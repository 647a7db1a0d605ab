// The production-readiness checklist: each pillar judged from evidence, the score, what /proc
// tells of a process, and the checklist model under QAbstractItemModelTester.
#include <gtest/gtest.h>
#include <unistd.h>

#include <QAbstractItemModelTester>
#include <QCoreApplication>
#include <QJsonArray>

#include "console_session.hpp"
#include "readiness/readiness_assessment.hpp"

using namespace prodmcp::console;
using State = ReadinessItem::State;

namespace {

QJsonObject running_config(QString const& profile, bool auth, bool rate_limit, double max_body) {
  QJsonArray keys{QJsonObject{{"key", "auth.enabled"}, {"value", auth}, {"origin", "profile production"}},
                  QJsonObject{{"key", "auth.clients"}, {"value", QJsonObject{{"console", "****"}}}, {"origin", "file"}},
                  QJsonObject{{"key", "rate_limit.enabled"}, {"value", rate_limit}, {"origin", "default"}},
                  QJsonObject{{"key", "rate_limit.requests_per_minute"}, {"value", 100}, {"origin", "default"}},
                  QJsonObject{{"key", "limits.max_request_size"}, {"value", max_body}, {"origin", "default"}}};
  return QJsonObject{{"profile", profile}, {"profile_origin", "flag --profile"}, {"keys", keys}};
}

ReadinessEvidence production_evidence() {
  ReadinessEvidence e;
  e.log_lines = 200;
  e.json_log_lines = 200;
  e.request_lines = 50;
  e.request_lines_with_correlation_id = 50;
  e.scrape_ok = true;
  e.request_metric_series = 24;
  e.live = true;
  e.ready = true;
  e.readiness_checks = {"redis", "disk_space", "mcp_servers"};
  e.running_config = running_config("production", true, true, 1048576);
  e.uid = 1000;
  e.memory_limit = "536870912";
  e.address_space_limit = "unlimited";
  e.alert_rules = 12;
  return e;
}

State state_of(QList<ReadinessItem> const& items, QString const& pillar) {
  for (auto const& item : items)
    if (item.pillar == pillar) return item.state;
  ADD_FAILURE() << "no pillar " << pillar.toStdString();
  return State::kUnknown;
}

}  // namespace

TEST(Readiness, AProductionServerMeetsEveryPillar) {
  auto const items = assess_readiness(production_evidence());
  EXPECT_EQ(items.size(), 10);
  for (auto const& item : items) EXPECT_EQ(item.state, State::kMet) << item.pillar.toStdString() << ": " << item.evidence.toStdString();
  EXPECT_EQ(readiness_score(items), 100);
}

TEST(Readiness, APrototypeOnALaptopFallsShort) {
  auto e = production_evidence();
  e.running_config = running_config("development", false, true, 1048576);
  e.uid = 0;
  e.memory_limit = "max";
  e.json_log_lines = 150;  // a quarter of the lines are not JSON
  e.request_lines_with_correlation_id = 49;
  auto const items = assess_readiness(e);
  EXPECT_EQ(state_of(items, "Authentication"), State::kNotMet);
  EXPECT_EQ(state_of(items, "Production profile"), State::kNotMet);
  EXPECT_EQ(state_of(items, "Runs as a non-root user"), State::kNotMet);
  EXPECT_EQ(state_of(items, "Resource limits"), State::kNotMet);
  EXPECT_EQ(state_of(items, "Structured JSON logs"), State::kNotMet);
  EXPECT_EQ(state_of(items, "Correlation ids on every request"), State::kNotMet);
  EXPECT_EQ(state_of(items, "Prometheus metrics"), State::kMet);
  EXPECT_EQ(readiness_score(items), 40);  // 4 of 10
}

TEST(Readiness, WhatCannotBeSeenIsUnknownAndDoesNotCount) {
  ReadinessEvidence e;
  e.scrape_ok = true;
  e.alert_rules = 3;
  auto const items = assess_readiness(e);
  EXPECT_EQ(state_of(items, "Authentication"), State::kUnknown);
  EXPECT_EQ(state_of(items, "Runs as a non-root user"), State::kUnknown);
  EXPECT_EQ(state_of(items, "Liveness and readiness with dependencies"), State::kUnknown);
  EXPECT_EQ(readiness_score(items), 100);  // metrics and alerts: the two that could be judged
  EXPECT_EQ(readiness_score({}), 0);
  e.alert_rule_errors = 1;
  EXPECT_EQ(state_of(assess_readiness(e), "Alert rules on its metrics"), State::kNotMet);
}

TEST(Readiness, RateLimitsAndBodyLimitsAreBothNeeded) {
  auto e = production_evidence();
  e.running_config = running_config("production", true, false, 1048576);
  EXPECT_EQ(state_of(assess_readiness(e), "Request limits and rate limiting"), State::kNotMet);
  e.running_config = running_config("production", true, true, 64.0 * 1024 * 1024);
  EXPECT_EQ(state_of(assess_readiness(e), "Request limits and rate limiting"), State::kNotMet);
}

TEST(Readiness, ReadsTheFactsOfAProcess) {
  auto const facts = read_process_facts(QCoreApplication::applicationPid());
  ASSERT_TRUE(facts.uid);
  EXPECT_EQ(*facts.uid, int(::getuid()));
  ASSERT_TRUE(facts.address_space_limit);
  EXPECT_FALSE(facts.address_space_limit->isEmpty());
  EXPECT_FALSE(read_process_facts(0).uid);
}

TEST(Readiness, TheChecklistModelFollowsItsSession) {
  ConsoleOptions options;
  options.autostart = false;
  options.launch.binary = "/nonexistent/prodmcp-server";
  ConsoleSession session(options);
  auto& checklist = session.readiness();
  QAbstractItemModelTester tester(&checklist, QAbstractItemModelTester::FailureReportingMode::Fatal);
  EXPECT_EQ(checklist.rowCount(), 10);
  // Log lines arrive through the session, as from the server's output.
  emit session.log_lines({R"({"timestamp":"2026-12-01T10:00:00.000000Z","level":"info","logger":"mcp","event":"request","correlation_id":"c1"})",
                          R"({"timestamp":"2026-12-01T10:00:00.100000Z","level":"info","logger":"mcp","event":"request"})",
                          "plain text, not JSON"});
  checklist.refresh();
  EXPECT_EQ(checklist.evidence().log_lines, 3);
  EXPECT_EQ(checklist.evidence().json_log_lines, 2);
  EXPECT_EQ(checklist.evidence().request_lines, 2);
  EXPECT_EQ(checklist.evidence().request_lines_with_correlation_id, 1);
  EXPECT_EQ(checklist.index(0, ReadinessChecklist::kState).data().toString(), "not met");
  EXPECT_FALSE(checklist.index(0, ReadinessChecklist::kFix).data().toString().isEmpty());
  EXPECT_EQ(checklist.headerData(ReadinessChecklist::kEvidence, Qt::Horizontal).toString(), "Evidence from the running server");
}
