// Chart lines from the console's queries: legends named by label values, one point per step.
#include "metrics/queries.hpp"

#include <gtest/gtest.h>

#include "metrics/exposition_parser.hpp"

using namespace prodmcp::console;

TEST(EvaluateChart, LegendsNameEachSeriesByItsLabels) {
  metrics::SeriesStore store;
  for (int second = 0; second <= 60; ++second) {
    auto const text = "# TYPE c counter\nc{type=\"memory\",mode=\"{{type}}\"} " + std::to_string(second * 2) +
                      "\nc{type=\"redis\",mode=\"x\"} " + std::to_string(second) + "\n";
    store.append_scrape(metrics::parse_exposition(text), second * 1000);
  }
  ChartSpec const spec{"test", "test", ChartUnit::kPerSecond,
                       {{"{{type}} cache ({{mode}}, {{missing}})", "rate(c[$__rate_interval])"}}};
  auto lines = evaluate_chart(store, spec, std::chrono::seconds(60), 60'000);
  ASSERT_EQ(lines.size(), 2);
  std::sort(lines.begin(), lines.end(), [](ChartLine const& a, ChartLine const& b) { return a.name < b.name; });
  // A label value that looks like a reference is not expanded again; a missing label reads (none).
  EXPECT_EQ(lines[0].name, "memory cache ({{type}}, (none))");
  EXPECT_EQ(lines[1].name, "redis cache (x, (none))");
  ASSERT_FALSE(lines[0].points.isEmpty());
  EXPECT_DOUBLE_EQ(lines[0].points.last().y(), 2.0);
  EXPECT_DOUBLE_EQ(lines[1].points.last().y(), 1.0);
}
