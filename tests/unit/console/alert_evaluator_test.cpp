#include "alerts/alert_evaluator.hpp"

#include "metrics/promql.hpp"
#include "metrics/queries.hpp"

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

// One source for both: every rule must be something the console's own engine evaluates.
TEST(AlertRules, EveryRuleParsesInTheConsolesPromqlEngine) {
  for (auto const& rule : alert_rules()) {
    auto const parsed = prodmcp::console::metrics::parse_promql(rule.expr);
    EXPECT_TRUE(parsed.ok()) << rule.name << ": " << (parsed.error ? parsed.error->to_string() : "");
  }
}

// The shipped rules on the console's own store: a server that stops answering scrapes makes
// MCPServerDown pending at once and firing after its 2 minutes, and resolves when it is back.
TEST(AlertRules, ServerDownFiresAfterTwoMinutesOfFailedScrapes) {
  prodmcp::console::metrics::SeriesStore store;
  AlertEvaluator alerts([&](std::string const& expr, qint64 t, QString& error) {
    return instant_query(store, expr, t, error);
  });
  auto const scrape = [&](qint64 t_ms) {
    store.append_scrape(prodmcp::console::metrics::parse_exposition("mcp_ready 1\n"), t_ms);
    alerts.evaluate(t_ms);
  };
  auto const fail = [&](qint64 t_ms) {
    store.append_failed_scrape(t_ms);
    alerts.evaluate(t_ms);
  };
  scrape(1'000);
  EXPECT_EQ(alerts.find("MCPServerDown")->state, AlertState::kInactive);
  for (qint64 t = 2'000; t <= 120'000; t += 1'000) fail(t);
  EXPECT_EQ(alerts.find("MCPServerDown")->state, AlertState::kPending);  // down since 2 s: 118 s
  fail(122'000);
  EXPECT_EQ(alerts.find("MCPServerDown")->state, AlertState::kFiring);
  EXPECT_EQ(alerts.find("MCPServerDown")->labels, "job=prodmcp");
  EXPECT_EQ(alerts.find("MCPServerNotReady")->state, AlertState::kInactive);  // no data is not "not ready"
  scrape(123'000);
  EXPECT_EQ(alerts.find("MCPServerDown")->state, AlertState::kInactive);
  for (auto const& status : alerts.states()) EXPECT_TRUE(status.error.isEmpty()) << status.rule->name;
}

// The gateway's rules on the console's own store: one upstream whose calls fail 10% of the time
// (errors and no answers) fires MCPUpstreamErrors for that upstream alone, after its 5 minutes.
TEST(AlertRules, UpstreamErrorsFireForTheFailingUpstreamOnly) {
  prodmcp::console::metrics::SeriesStore store;
  AlertEvaluator alerts([&](std::string const& expr, qint64 t, QString& error) {
    return instant_query(store, expr, t, error);
  });
  auto const scrape = [&](qint64 t_ms, int n) {
    auto const text = "mcp_upstream_requests_total{upstream=\"notes\",method=\"tools/call\",status=\"ok\"} " +
                      std::to_string(90 * n) +
                      "\nmcp_upstream_requests_total{upstream=\"notes\",method=\"tools/call\",status=\"failed\"} " +
                      std::to_string(6 * n) +
                      "\nmcp_upstream_requests_total{upstream=\"notes\",method=\"tools/call\",status=\"error\"} " +
                      std::to_string(4 * n) +
                      "\nmcp_upstream_requests_total{upstream=\"search\",method=\"tools/call\",status=\"ok\"} " +
                      std::to_string(100 * n) + "\n";
    store.append_scrape(prodmcp::console::metrics::parse_exposition(text), t_ms);
    alerts.evaluate(t_ms);
  };
  for (int n = 0; n <= 5; ++n) scrape(n * 15'000, n);
  EXPECT_EQ(alerts.find("MCPUpstreamErrors")->state, AlertState::kPending);
  EXPECT_EQ(alerts.find("MCPUpstreamErrors")->labels, "upstream=notes");
  for (int n = 6; n <= 30; ++n) scrape(n * 15'000, n);
  EXPECT_EQ(alerts.find("MCPUpstreamErrors")->state, AlertState::kFiring);
  EXPECT_EQ(alerts.find("MCPUpstreamErrors")->labels, "upstream=notes");
  for (auto const& status : alerts.states()) EXPECT_TRUE(status.error.isEmpty()) << status.rule->name;
}
