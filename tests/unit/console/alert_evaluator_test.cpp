#include "alerts/alert_evaluator.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace prodmcp::console;
using namespace std::chrono_literals;

namespace {

// A query engine whose answers the test sets per expression.
struct FakeQueries {
  std::map<std::string, std::vector<QueryAnswer>> answers;
  InstantQuery query() {
    return [this](std::string const& expr, qint64, QString& error) -> std::optional<std::vector<QueryAnswer>> {
      if (expr == "broken(") {
        error = "unexpected end of input";
        return std::nullopt;
      }
      auto const found = answers.find(expr);
      return found == answers.end() ? std::vector<QueryAnswer>{} : found->second;
    };
  }
};

std::vector<AlertRule> const kRules{
    {"Slow", "latency > 2", 300s, "warning", "slow", ""},
    {"Down", "up == 0", 0s, "critical", "down", ""},
    {"Broken", "broken(", 60s, "warning", "broken", ""},
};

}  // namespace

TEST(AlertEvaluator, PendingUntilTheForDurationHoldsThenFiringThenResolved) {
  FakeQueries fake;
  AlertEvaluator alerts(fake.query(), kRules);
  std::vector<std::pair<std::string, AlertState>> changes;
  QObject::connect(&alerts, &AlertEvaluator::state_changed, [&](AlertStatus const& status, AlertState) {
    changes.emplace_back(status.rule->name, status.state);
  });
  alerts.evaluate(0);
  EXPECT_EQ(alerts.find("Slow")->state, AlertState::kInactive);

  fake.answers["latency > 2"] = {{"method=ping", 2.5}, {"method=tools/call", 3.5}};
  alerts.evaluate(1'000);
  auto const* slow = alerts.find("Slow");
  EXPECT_EQ(slow->state, AlertState::kPending);
  EXPECT_EQ(slow->value, 3.5);  // the worst series
  EXPECT_EQ(slow->labels, "method=tools/call");
  EXPECT_TRUE(alerts.describe(*slow, 61'000).contains("fires in 4:00")) << alerts.describe(*slow, 61'000).toStdString();
  alerts.evaluate(300'999);
  EXPECT_EQ(slow->state, AlertState::kPending);
  alerts.evaluate(301'000);
  EXPECT_EQ(slow->state, AlertState::kFiring);
  EXPECT_TRUE(alerts.describe(*slow, 361'000).contains("firing for 1:00"));

  fake.answers.erase("latency > 2");
  alerts.evaluate(302'000);
  EXPECT_EQ(slow->state, AlertState::kInactive);
  EXPECT_EQ(changes, (std::vector<std::pair<std::string, AlertState>>{
                         {"Slow", AlertState::kPending}, {"Slow", AlertState::kFiring}, {"Slow", AlertState::kInactive}}));
}

TEST(AlertEvaluator, ABlipShorterThanForNeverFiresAndRestartsTheClock) {
  FakeQueries fake;
  AlertEvaluator alerts(fake.query(), kRules);
  fake.answers["latency > 2"] = {{"", 3}};
  alerts.evaluate(0);
  fake.answers.clear();
  alerts.evaluate(200'000);
  fake.answers["latency > 2"] = {{"", 3}};
  alerts.evaluate(250'000);
  alerts.evaluate(500'000);  // 250 s since it came back: still pending
  EXPECT_EQ(alerts.find("Slow")->state, AlertState::kPending);
}

TEST(AlertEvaluator, ZeroForFiresAtOnceAndErrorsAreReported) {
  FakeQueries fake;
  AlertEvaluator alerts(fake.query(), kRules);
  fake.answers["up == 0"] = {{"job=prodmcp", 0}};
  alerts.evaluate(10);
  EXPECT_EQ(alerts.find("Down")->state, AlertState::kFiring);
  EXPECT_EQ(alerts.find("Broken")->state, AlertState::kInactive);
  EXPECT_EQ(alerts.find("Broken")->error, "unexpected end of input");
  EXPECT_TRUE(alerts.describe(*alerts.find("Broken"), 10).contains("cannot be evaluated"));
  alerts.reset();
  EXPECT_EQ(alerts.find("Down")->state, AlertState::kInactive);
}

TEST(AlertRules, TheShippedRuleFileCarriesEveryRuleWithItsThresholdAndFor) {
  auto const file = prometheus_rule_file();
  for (auto const& rule : alert_rules()) EXPECT_NE(file.find("- alert: " + rule.name + "\n"), std::string::npos);
  // The course's four, with its thresholds.
  EXPECT_NE(file.find(R"(expr: "up{job=\"prodmcp\"} == 0")" "\n        for: 2m\n        labels:\n          severity: critical"),
            std::string::npos)
      << file;
  EXPECT_NE(file.find("/ sum(rate(mcp_requests_total[5m])) > 0.05\"\n        for: 5m"), std::string::npos);
  EXPECT_NE(file.find("(rate(mcp_request_duration_seconds_bucket[5m]))) > 2\"\n        for: 5m"), std::string::npos);
  EXPECT_NE(file.find("(mcp_health_check_consecutive_failures) >= 5\"\n        for: 1m\n        labels:\n          "
                      "severity: critical"),
            std::string::npos);
}
