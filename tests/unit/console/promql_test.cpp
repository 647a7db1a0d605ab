#include "metrics/promql.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "support/param_names.hpp"

using prodmcp::console::metrics::bucket_quantile;
using prodmcp::console::metrics::evaluate_instant;
using prodmcp::console::metrics::evaluate_range;
using prodmcp::console::metrics::InstantResult;
using prodmcp::console::metrics::parse_exposition;
using prodmcp::console::metrics::parse_promql;
using prodmcp::console::metrics::PromqlSample;
using prodmcp::console::metrics::PromqlType;
using prodmcp::console::metrics::SeriesStore;
using prodmcp::console::metrics::SeriesStoreOptions;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

void scrape(SeriesStore& store, int64_t t_s, std::string const& text) {
  auto parsed = parse_exposition(text);
  ASSERT_TRUE(parsed.ok()) << parsed.errors.front().to_string();
  store.append_scrape(parsed, t_s * 1000);
}

// `name{a="x",b="y"}` (name first if kept), for comparing results.
std::string key(PromqlSample const& s) {
  std::string name;
  std::string rest;
  for (auto const& l : s.labels) {
    if (l.name == "__name__") {
      name = l.value;
    } else {
      rest += (rest.empty() ? "" : ",") + l.name + "=\"" + l.value + "\"";
    }
  }
  return name + "{" + rest + "}";
}

std::map<std::string, double> as_map(InstantResult const& r) {
  EXPECT_TRUE(r.ok()) << r.error;
  std::map<std::string, double> out;
  for (auto const& s : r.vector) out[key(s)] = s.value;
  return out;
}

// The value of a query that must return exactly one sample.
double one(SeriesStore const& store, std::string_view expr, int64_t t_s) {
  auto r = evaluate_instant(store, expr, t_s * 1000);
  EXPECT_TRUE(r.ok()) << expr << ": " << r.error;
  if (r.type == PromqlType::kScalar) return r.scalar;
  EXPECT_EQ(r.vector.size(), 1u) << expr;
  return r.vector.empty() ? std::nan("") : r.vector[0].value;
}

bool empty(SeriesStore const& store, std::string_view expr, int64_t t_s) {
  auto r = evaluate_instant(store, expr, t_s * 1000);
  EXPECT_TRUE(r.ok()) << r.error;
  return r.vector.empty();
}

// A counter scraped every 10 s at t = 0, 10, ..., with the given values.
void counter(SeriesStore& store, std::vector<double> const& values, int64_t first_s = 0) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    scrape(store, first_s + 10 * static_cast<int64_t>(i),
           "# TYPE c counter\nc " + std::to_string(values[i]) + "\n");
  }
}

}  // namespace

// ---- rate / increase / irate / delta: worked by hand with extrapolatedRate's rules. ----

TEST(PromqlRate, SteadyCounterExtrapolatesToTheWindowStart) {
  SeriesStore store;
  counter(store, {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120});
  // rate(c[1m]) at 120 s: window (60, 120], samples at 70..120 = 70..120 (6 samples).
  // Increase 50 over a sampled interval of 50 s; to the start 10 s (< 1.1 x 10 s average, so
  // extrapolated), to the end 0; zero point 50 x 70/50 = 70 s back, farther than 10 s.
  // factor = (50 + 10 + 0) / 50 = 1.2: increase 60, rate 60 / 60 = 1.
  EXPECT_DOUBLE_EQ(one(store, "rate(c[1m])", 120), 1.0);
  EXPECT_DOUBLE_EQ(one(store, "increase(c[1m])", 120), 60.0);
  // irate: the last two samples, (120 - 110) / 10 s.
  EXPECT_DOUBLE_EQ(one(store, "irate(c[1m])", 120), 1.0);
}

TEST(PromqlRate, CounterResetInsideTheWindow) {
  SeriesStore store;
  counter(store, {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 5, 15, 25});
  // Window (60, 120]: 70, 80, 90, 5, 15, 25. Raw difference 25 - 70 = -45; the drop 90 -> 5 is a
  // reset, so 90 is added: 45. Same durations as above: factor 1.2 (zero point 50 x 70/45 = 77.8 s,
  // farther than 10 s). increase = 54, rate = 54 / 60 = 0.9.
  EXPECT_DOUBLE_EQ(one(store, "increase(c[1m])", 120), 54.0);
  EXPECT_DOUBLE_EQ(one(store, "rate(c[1m])", 120), 0.9);
  // irate over the reset at 100 s: last two samples 90 -> 5; after a reset the last value is the
  // increase: 5 / 10 s = 0.5.
  EXPECT_DOUBLE_EQ(one(store, "irate(c[1m])", 100), 0.5);
  // delta treats it as a gauge: 25 - 70 = -45, x 1.2 = -54 (no reset correction, no zero clamp).
  EXPECT_DOUBLE_EQ(one(store, "delta(c[1m])", 120), -54.0);
}

TEST(PromqlRate, SeriesStartingInsideTheWindowExtrapolatesHalfAnInterval) {
  SeriesStore store;
  counter(store, {100, 110, 120}, 90);  // samples at 90, 100, 110 s
  // rate(c[1m]) at 120 s: window (60, 120]. Increase 20 over 20 s (average 10 s, threshold 11 s).
  // To the start 30 s >= 11 s: only half an interval, 5 s (zero point 20 x 100/20 = 100 s, farther).
  // To the end 10 s < 11 s: extrapolated fully. factor = (20 + 5 + 10) / 20 = 1.75.
  // increase = 35, rate = 35 / 60.
  EXPECT_DOUBLE_EQ(one(store, "increase(c[1m])", 120), 35.0);
  EXPECT_DOUBLE_EQ(one(store, "rate(c[1m])", 120), 35.0 / 60);
}

TEST(PromqlRate, CounterIsNotExtrapolatedBelowZero) {
  SeriesStore store;
  counter(store, {0, 0, 0, 0, 0, 0, 0, 1, 11, 21, 31, 41, 51});
  // Window (60, 120]: 1, 11, ..., 51 at 70..120 s. Increase 50 over 50 s, 10 s to the start; but
  // the counter was 0 only 50 x 1/50 = 1 s before its first sample, so it starts there:
  // factor = (50 + 1 + 0) / 50 = 1.02, increase = 51.
  EXPECT_DOUBLE_EQ(one(store, "increase(c[1m])", 120), 51.0);
}

TEST(PromqlRate, GapBeforeTheEndExtrapolatesHalfAnInterval) {
  SeriesStore store;
  counter(store, {0, 10, 20, 30, 40, 50, 60, 70, 80, 90});  // last sample at 90 s
  // rate(c[1m]) at 115 s: window (55, 115]: samples 60..90 (4 samples). Increase 30 over 30 s.
  // To the start 5 s (< 11 s, full); to the end 25 s (>= 11 s: half an interval, 5 s).
  // factor = (30 + 5 + 5) / 30, increase = 40.
  EXPECT_DOUBLE_EQ(one(store, "increase(c[1m])", 115), 40.0);
}

TEST(PromqlRate, FewerThanTwoSamplesGiveNothing) {
  SeriesStore store;
  counter(store, {1});
  EXPECT_TRUE(empty(store, "rate(c[1m])", 5));
  EXPECT_TRUE(empty(store, "irate(c[1m])", 5));
  // Range windows are left-open, as in Prometheus 3: at 60 s, (0, 60] no longer holds t = 0.
  SeriesStore two;
  counter(two, {1, 2});
  EXPECT_FALSE(empty(two, "rate(c[1m])", 59));
  EXPECT_TRUE(empty(two, "rate(c[1m])", 60));
}

TEST(PromqlRate, RateDropsTheMetricNameAndRefusesDuplicateLabelSets) {
  SeriesStore store;
  for (int64_t t = 0; t <= 60; t += 10) {
    scrape(store, t, "a{x=\"1\"} " + std::to_string(t) + "\nb{x=\"1\"} " + std::to_string(t) + "\n");
  }
  auto r = evaluate_instant(store, "rate(a[1m])", 60'000);
  ASSERT_EQ(r.vector.size(), 1u);
  EXPECT_EQ(key(r.vector[0]), "{x=\"1\"}");
  auto both = evaluate_instant(store, "rate({__name__=~\"a|b\"}[1m])", 60'000);
  EXPECT_FALSE(both.ok());
  EXPECT_NE(both.error.find("same labelset"), std::string::npos);
}

// ---- over_time functions ----

TEST(PromqlOverTime, AvgMaxMin) {
  SeriesStore store;
  std::vector<std::string> values = {"4", "NaN", "1", "7", "2"};
  for (std::size_t i = 0; i < values.size(); ++i)
    scrape(store, 10 * static_cast<int64_t>(i), "g " + values[i] + "\n");
  // (0, 40]: NaN, 1, 7, 2 (4 at 0 s is outside). A NaN is replaced by any later number.
  EXPECT_EQ(one(store, "max_over_time(g[40s])", 40), 7);
  EXPECT_EQ(one(store, "min_over_time(g[40s])", 40), 1);
  EXPECT_TRUE(std::isnan(one(store, "avg_over_time(g[40s])", 40)));
  // (10, 40]: 1, 7, 2 -> 10 / 3.
  EXPECT_DOUBLE_EQ(one(store, "avg_over_time(g[30s])", 40), 10.0 / 3);
}

// changes() counts value changes, resets() decreases, in (t - range, t]: the restart alert rule
// counts process_start_time_seconds changes.
TEST(PromqlOverTime, ChangesAndResets) {
  SeriesStore store;
  std::vector<std::string> values = {"5", "100", "100", "200", "NaN", "NaN", "150", "300"};
  for (std::size_t i = 0; i < values.size(); ++i)
    scrape(store, 10 * static_cast<int64_t>(i), "g " + values[i] + "\n");
  // (0, 70]: 100 100 200 NaN NaN 150 300 -> changes 100->200, 200->NaN, NaN->150, 150->300 = 4
  // (NaN->NaN is no change); no value is below the one before it (NaN compares false): 0 resets.
  EXPECT_EQ(one(store, "changes(g[70s])", 70), 4);
  EXPECT_EQ(one(store, "resets(g[70s])", 70), 0);
  // (0, 30]: 100 100 200 -> one change; (50, 70] holds 150 then 300.
  EXPECT_EQ(one(store, "changes(g[30s])", 30), 1);
  SeriesStore counters;
  counter(counters, {1, 5, 2, 8, 3});
  EXPECT_EQ(one(counters, "resets(c[40s])", 40), 2);  // (0, 40]: 5 2 8 3 -> 5>2, 8>3
  EXPECT_EQ(one(counters, "changes(c[40s])", 40), 3);
  EXPECT_TRUE(empty(counters, "changes(nothing[40s])", 40));
}

// The synthetic up series carries job="prodmcp", so rules written for Prometheus select it.
TEST(PromqlSelector, UpHasTheJobLabel) {
  SeriesStore store;
  store.append_failed_scrape(1000);
  EXPECT_EQ(one(store, R"(up{job="prodmcp"} == 0)", 1), 0);
  scrape(store, 2, "g 1\n");
  EXPECT_TRUE(empty(store, R"(up{job="prodmcp"} == 0)", 2));
}

// ---- histogram_quantile: bucketQuantile worked by hand. ----

TEST(PromqlHistogramQuantile, BucketQuantileCases) {
  // le: 0.1 -> 10, 0.5 -> 30, 1 -> 40, +Inf -> 50 (cumulative). 50 observations.
  std::vector<std::pair<double, double>> b = {{0.5, 30}, {kInf, 50}, {0.1, 10}, {1, 40}};  // any order
  // q = 0.5: rank 25 falls in (0.1, 0.5] holding 20; 15 into it: 0.1 + 0.4 x 15/20 = 0.4.
  EXPECT_DOUBLE_EQ(bucket_quantile(0.5, b), 0.4);
  // q = 0.1: rank 5 in the lowest bucket, whose lower bound is 0: 0.1 x 5/10 = 0.05.
  EXPECT_DOUBLE_EQ(bucket_quantile(0.1, b), 0.05);
  // q = 0: rank 0, lowest bucket: 0.
  EXPECT_EQ(bucket_quantile(0, b), 0);
  // q = 0.9 and q = 1: ranks 45 and 50 fall in +Inf: the highest finite bound, 1.
  EXPECT_EQ(bucket_quantile(0.9, b), 1);
  EXPECT_EQ(bucket_quantile(1, b), 1);
  // Out of range and NaN.
  EXPECT_EQ(bucket_quantile(-0.1, b), -kInf);
  EXPECT_EQ(bucket_quantile(1.1, b), kInf);
  EXPECT_TRUE(std::isnan(bucket_quantile(std::nan(""), b)));
}

TEST(PromqlHistogramQuantile, NaNCases) {
  EXPECT_TRUE(std::isnan(bucket_quantile(0.5, {{kInf, 5}})));            // only +Inf: < 2 buckets
  EXPECT_TRUE(std::isnan(bucket_quantile(0.5, {{0.1, 1}, {0.5, 2}})));   // no +Inf bucket
  EXPECT_TRUE(std::isnan(bucket_quantile(0.5, {{0.1, 0}, {kInf, 0}})));  // no observations
  EXPECT_TRUE(std::isnan(bucket_quantile(0.5, {})));
}

TEST(PromqlHistogramQuantile, NonPositiveLowestBucketAndMonotonicityFix) {
  // Lowest bound <= 0: a rank in it returns that bound, no interpolation from 0.
  EXPECT_EQ(bucket_quantile(0.25, {{-1, 5}, {0, 10}, {kInf, 10}}), -1);
  // Counts 10, 8, 12, 12 are not monotonic; 8 is raised to 10. q = 0.9: rank 10.8 lands in
  // (0.5, 1] holding 2: 0.5 + 0.5 x 0.8/2 = 0.7.
  EXPECT_DOUBLE_EQ(bucket_quantile(0.9, {{0.1, 10}, {0.5, 8}, {1, 12}, {kInf, 12}}), 0.7);
  // Buckets with the same bound are added up: (0.1: 4 + 6) then as the first example.
  EXPECT_DOUBLE_EQ(bucket_quantile(0.5, {{0.1, 4}, {0.1, 6}, {0.5, 30}, {1, 40}, {kInf, 50}}), 0.4);
}

TEST(PromqlHistogramQuantile, OverRateOfRealBuckets) {
  SeriesStore store;
  // Per second: GET observes 1 below 0.1, 2 in (0.1, 0.5], 1 in (0.5, 1], 1 above. POST only in
  // (0.5, 1]: 1 per second.
  for (int64_t t = 0; t <= 60; t += 10) {
    std::string s = "# TYPE lat histogram\n";
    auto line = [&](std::string const& m, std::string const& le, int64_t per_second) {
      s += "lat_bucket{method=\"" + m + "\",le=\"" + le + "\"} " + std::to_string(per_second * t) + "\n";
    };
    line("GET", "0.1", 1);
    line("GET", "0.5", 3);
    line("GET", "1", 4);
    line("GET", "+Inf", 5);
    line("POST", "0.1", 0);
    line("POST", "0.5", 0);
    line("POST", "1", 1);
    line("POST", "+Inf", 1);
    scrape(store, t, s);
  }
  // rate(...[1m]) at 60 s: samples at 10..60, factor 1.2 (zero point exactly 10 s back, not closer),
  // so each rate is its per-second slope: GET 1, 3, 4, 5; POST 0, 0, 1, 1.
  auto by_method = as_map(evaluate_instant(store, "histogram_quantile(0.5, rate(lat_bucket[1m]))", 60'000));
  ASSERT_EQ(by_method.size(), 2u);
  // GET: rank 2.5 of 5 in (0.1, 0.5] holding 2: 0.1 + 0.4 x 1.5/2 = 0.4.
  EXPECT_NEAR(by_method["{method=\"GET\"}"], 0.4, 1e-12);
  // POST: rank 0.5 of 1 in (0.5, 1] holding 1: 0.5 + 0.5 x 0.5 = 0.75.
  EXPECT_NEAR(by_method["{method=\"POST\"}"], 0.75, 1e-12);
  // Summed by le: 1, 3, 5, 6. q = 0.9: rank 5.4 falls in +Inf: the highest finite bound, 1.
  // q = 0.75: rank 4.5 in (0.5, 1] holding 2: 0.5 + 0.5 x 1.5/2 = 0.875.
  EXPECT_EQ(one(store, "histogram_quantile(0.9, sum by (le) (rate(lat_bucket[1m])))", 60), 1);
  EXPECT_NEAR(one(store, "histogram_quantile(0.75, sum(rate(lat_bucket[1m])) by (le))", 60), 0.875, 1e-12);
}

// ---- selectors, lookback and staleness ----

TEST(PromqlSelector, LookbackIsFiveMinutesLeftOpen) {
  SeriesStore store;
  scrape(store, 0, "g 1\n");
  EXPECT_EQ(one(store, "g", 299), 1);
  EXPECT_TRUE(empty(store, "g", 300));  // (0, 300 s] no longer holds t = 0
}

TEST(PromqlSelector, StalenessEndsTheSeriesAtOnce) {
  SeriesStore store;
  scrape(store, 0, "g 1\nh 1\n");
  scrape(store, 10, "g 2\nh 1\n");
  scrape(store, 20, "h 1\n");  // g is gone: a staleness marker at 20 s
  EXPECT_EQ(one(store, "g", 15), 2);
  EXPECT_TRUE(empty(store, "g", 20));
  EXPECT_TRUE(empty(store, "g", 200));  // not carried forward for the lookback
  // A failed scrape: up is 0 and everything is stale.
  store.append_failed_scrape(30'000);
  EXPECT_EQ(one(store, "up", 30), 0);
  EXPECT_TRUE(empty(store, "h", 30));
  // Range functions skip the marker and use the samples before it.
  EXPECT_EQ(one(store, "max_over_time(g[1m])", 25), 2);
}

TEST(PromqlSelector, Matchers) {
  SeriesStore store;
  scrape(store, 0,
         "req{code=\"200\",method=\"GET\"} 1\nreq{code=\"404\",method=\"GET\"} 2\n"
         "req{code=\"500\",method=\"POST\"} 3\nreq{method=\"PUT\"} 4\nother{code=\"200\"} 5\n");
  auto sum = [&](std::string_view e) { return one(store, "sum(" + std::string(e) + ")", 1); };
  EXPECT_EQ(sum("req{code=\"200\"}"), 1);
  EXPECT_EQ(sum("req{code!=\"200\"}"), 2 + 3 + 4);  // an absent label is "": matches != "200"
  EXPECT_EQ(sum("req{code=~\"2..|5..\"}"), 1 + 3);
  EXPECT_TRUE(empty(store, "req{code=~\"2\"}", 1));  // anchored: "2" does not match "200"
  EXPECT_EQ(sum("req{code!~\"[45]..\"}"), 1 + 4);
  EXPECT_EQ(sum("req{code=\"\"}"), 4);  // only the series without the label
  EXPECT_EQ(sum("{code=\"200\"}"), 1 + 5);
  EXPECT_EQ(sum("{__name__=~\"req|other\",method=~\"GET|\"}"), 1 + 2 + 5);
  EXPECT_EQ(sum("req{method=\"GET\",}"), 3);  // trailing comma
  auto r = as_map(evaluate_instant(store, "req{method='PUT'}", 1000));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r.begin()->first, "req{method=\"PUT\"}");
}

TEST(PromqlSelector, SumOfNothingIsEmpty) {
  SeriesStore store;
  scrape(store, 0, "a 1\n");
  EXPECT_TRUE(empty(store, "sum(missing)", 1));
  EXPECT_TRUE(empty(store, "a{code=~\"2\"}", 1));
}

// ---- aggregations ----

TEST(PromqlAggregation, ByWithoutAndBothPositions) {
  SeriesStore store;
  scrape(store, 0,
         "r{job=\"a\",inst=\"1\",code=\"200\"} 1\nr{job=\"a\",inst=\"2\",code=\"200\"} 2\n"
         "r{job=\"a\",inst=\"1\",code=\"500\"} 3\nr{job=\"b\",inst=\"1\",code=\"200\"} 4\n");
  auto by_job = as_map(evaluate_instant(store, "sum by (job) (r)", 1000));
  EXPECT_EQ(by_job, (std::map<std::string, double>{{"{job=\"a\"}", 6}, {"{job=\"b\"}", 4}}));
  EXPECT_EQ(as_map(evaluate_instant(store, "sum(r) by (job)", 1000)), by_job);
  auto without = as_map(evaluate_instant(store, "max without (inst) (r)", 1000));
  EXPECT_EQ(without, (std::map<std::string, double>{{"{code=\"200\",job=\"a\"}", 2},
                                                    {"{code=\"500\",job=\"a\"}", 3},
                                                    {"{code=\"200\",job=\"b\"}", 4}}));
  EXPECT_EQ(one(store, "sum(r)", 1), 10);
  EXPECT_EQ(one(store, "avg(r)", 1), 2.5);
  EXPECT_EQ(one(store, "min(r)", 1), 1);
  EXPECT_EQ(one(store, "max(r)", 1), 4);
  EXPECT_EQ(one(store, "count(r)", 1), 4);
  EXPECT_EQ(as_map(evaluate_instant(store, "count by () (r)", 1000)),
            (std::map<std::string, double>{{"{}", 4}}));
}

TEST(PromqlAggregation, TopkKeepsTheLabels) {
  SeriesStore store;
  scrape(
      store, 0,
      "r{job=\"a\",i=\"1\"} 1\nr{job=\"a\",i=\"2\"} NaN\nr{job=\"a\",i=\"3\"} 3\nr{job=\"b\",i=\"1\"} 4\n");
  auto top = as_map(evaluate_instant(store, "topk(2, r)", 1000));
  EXPECT_EQ(top, (std::map<std::string, double>{{"r{i=\"1\",job=\"b\"}", 4}, {"r{i=\"3\",job=\"a\"}", 3}}));
  // Per job; NaN ranks lowest.
  auto per_job = as_map(evaluate_instant(store, "topk by (job) (2, r)", 1000));
  EXPECT_EQ(per_job.size(), 3u);
  EXPECT_EQ(per_job.count("r{i=\"2\",job=\"a\"}"), 0u);
  EXPECT_TRUE(empty(store, "topk(0, r)", 1));
}

// ---- binary operators ----

TEST(PromqlBinary, ScalarArithmeticAndPrecedence) {
  SeriesStore store;
  EXPECT_EQ(one(store, "1 + 2 * 3", 0), 7);
  EXPECT_EQ(one(store, "(1 + 2) * 3", 0), 9);
  EXPECT_EQ(one(store, "2 ^ 3 ^ 2", 0), 512);  // right-associative
  EXPECT_EQ(one(store, "-2 ^ 2", 0), -4);      // ^ binds tighter than unary minus
  EXPECT_EQ(one(store, "10 - 4 - 3", 0), 3);   // left-associative
  EXPECT_EQ(one(store, "7 % 4", 0), 3);
  EXPECT_EQ(one(store, "1 < bool 2", 0), 1);
  EXPECT_EQ(one(store, "1 + 1 == bool 2", 0), 1);  // arithmetic before comparison
  EXPECT_EQ(one(store, "1.5e3 / 3", 0), 500);
  EXPECT_EQ(one(store, "1 / 0", 0), kInf);
  EXPECT_EQ(one(store, "-Inf", 0), -kInf);
  EXPECT_TRUE(std::isnan(one(store, "NaN", 0)));
  EXPECT_EQ(one(store, "time()", 42), 42);
  EXPECT_EQ(one(store, "- - 3", 0), 3);
}

TEST(PromqlBinary, VectorAndScalar) {
  SeriesStore store;
  scrape(store, 0, "g{i=\"1\"} 1\ng{i=\"2\"} 5\n");
  // Arithmetic drops the metric name; a comparison filters and keeps it; bool gives 0/1 and drops it.
  EXPECT_EQ(as_map(evaluate_instant(store, "g * 2", 1000)),
            (std::map<std::string, double>{{"{i=\"1\"}", 2}, {"{i=\"2\"}", 10}}));
  EXPECT_EQ(as_map(evaluate_instant(store, "g > 2", 1000)),
            (std::map<std::string, double>{{"g{i=\"2\"}", 5}}));
  EXPECT_EQ(as_map(evaluate_instant(store, "2 < g", 1000)),
            (std::map<std::string, double>{{"g{i=\"2\"}", 5}}));
  EXPECT_EQ(as_map(evaluate_instant(store, "g > bool 2", 1000)),
            (std::map<std::string, double>{{"{i=\"1\"}", 0}, {"{i=\"2\"}", 1}}));
  EXPECT_EQ(as_map(evaluate_instant(store, "10 - g", 1000)),
            (std::map<std::string, double>{{"{i=\"1\"}", 9}, {"{i=\"2\"}", 5}}));
  EXPECT_EQ(as_map(evaluate_instant(store, "-g", 1000)),
            (std::map<std::string, double>{{"{i=\"1\"}", -1}, {"{i=\"2\"}", -5}}));
  EXPECT_EQ(as_map(evaluate_instant(store, "clamp_min(g, 3)", 1000)),
            (std::map<std::string, double>{{"{i=\"1\"}", 3}, {"{i=\"2\"}", 5}}));
  EXPECT_EQ(as_map(evaluate_instant(store, "clamp_max(g, 3)", 1000)),
            (std::map<std::string, double>{{"{i=\"1\"}", 1}, {"{i=\"2\"}", 3}}));
  EXPECT_EQ(as_map(evaluate_instant(store, "abs(g - 3)", 1000)),
            (std::map<std::string, double>{{"{i=\"1\"}", 2}, {"{i=\"2\"}", 2}}));
}

TEST(PromqlBinary, VectorMatching) {
  SeriesStore store;
  scrape(store, 0,
         "errors{job=\"a\",code=\"500\"} 2\nerrors{job=\"b\",code=\"500\"} 3\n"
         "total{job=\"a\"} 10\ntotal{job=\"b\"} 20\ntotal{job=\"c\"} 30\n"
         "x{job=\"a\"} 1\ny{job=\"a\"} 4\n");
  // Same labels apart from the name: one-to-one.
  EXPECT_EQ(as_map(evaluate_instant(store, "y / x", 1000)),
            (std::map<std::string, double>{{"{job=\"a\"}", 4}}));
  // errors carries code, total does not: match on job only, or ignoring code.
  auto ratio = std::map<std::string, double>{{"{job=\"a\"}", 0.2}, {"{job=\"b\"}", 0.15}};
  EXPECT_EQ(as_map(evaluate_instant(store, "errors / on(job) total", 1000)), ratio);
  auto ignoring = as_map(evaluate_instant(store, "errors / ignoring(code) total", 1000));
  EXPECT_EQ(ignoring, ratio);
  EXPECT_TRUE(empty(store, "errors / total", 1));  // no label set in common
  // Comparison between vectors filters the left side and keeps its name.
  EXPECT_EQ(as_map(evaluate_instant(store, "total > on(job) (errors * 5)", 1000)),
            (std::map<std::string, double>{{"{job=\"b\"}", 20}}));
  EXPECT_EQ(as_map(evaluate_instant(store, "total > ignoring(code) (errors * 5)", 1000)),
            (std::map<std::string, double>{{"total{job=\"b\"}", 20}}));
  // Two right-hand series for one match group: many-to-many is an error.
  auto bad = evaluate_instant(store, "total / ignoring(job) errors", 1000);
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.error.find("many-to-many"), std::string::npos);
  auto many_to_one = evaluate_instant(store, "errors / on() x", 1000);
  EXPECT_FALSE(many_to_one.ok());
  EXPECT_NE(many_to_one.error.find("group_left"), std::string::npos);
}

TEST(PromqlBinary, SetOperators) {
  SeriesStore store;
  scrape(store, 0, "a{i=\"1\"} 1\na{i=\"2\"} 2\nb{i=\"2\"} 20\nb{i=\"3\"} 30\n");
  EXPECT_EQ(as_map(evaluate_instant(store, "a and b", 1000)),
            (std::map<std::string, double>{{"a{i=\"2\"}", 2}}));
  EXPECT_EQ(as_map(evaluate_instant(store, "a unless b", 1000)),
            (std::map<std::string, double>{{"a{i=\"1\"}", 1}}));
  EXPECT_EQ(as_map(evaluate_instant(store, "a or b", 1000)),
            (std::map<std::string, double>{{"a{i=\"1\"}", 1}, {"a{i=\"2\"}", 2}, {"b{i=\"3\"}", 30}}));
  EXPECT_EQ(as_map(evaluate_instant(store, "a and on() b", 1000)).size(), 2u);
  // "and" binds tighter than "or".
  EXPECT_EQ(as_map(evaluate_instant(store, "a or b and a", 1000)).size(), 2u);
  // An alert rule: a ratio above a threshold, only where there is traffic.
  EXPECT_EQ(as_map(evaluate_instant(store, "b / a > 5 and a > 1", 1000)),
            (std::map<std::string, double>{{"{i=\"2\"}", 10}}));
}

// ---- range queries ----

TEST(PromqlRange, RateOverAChartWindow) {
  SeriesStore store;
  std::vector<double> values;
  for (int i = 0; i <= 30; ++i) values.push_back(2.0 * 10 * i);  // 2 per second, scraped every 10 s
  counter(store, values);
  auto r = evaluate_range(store, "rate(c[1m])", 60'000, 300'000, 60'000);
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.series.size(), 1u);
  ASSERT_EQ(r.series[0].points.size(), 5u);
  for (auto const& p : r.series[0].points) EXPECT_DOUBLE_EQ(p.value, 2.0) << p.t_ms;
  EXPECT_EQ(r.series[0].points.front().t_ms, 60'000);
  EXPECT_EQ(r.series[0].points.back().t_ms, 300'000);
}

TEST(PromqlRange, SeriesAppearAndVanishPerStep) {
  SeriesStore store;
  scrape(store, 0, "g{i=\"1\"} 1\n");
  scrape(store, 10, "g{i=\"1\"} 1\ng{i=\"2\"} 2\n");
  scrape(store, 20, "g{i=\"2\"} 2\n");  // i=1 stale at 20 s
  auto r = evaluate_range(store, "g", 0, 30'000, 10'000);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.series.size(), 2u);
  EXPECT_EQ(r.series[0].points.size(), 2u);  // i=1 at 0 and 10 s
  EXPECT_EQ(r.series[1].points.size(), 3u);  // i=2 at 10, 20, 30 s
  auto scalar = evaluate_range(store, "time() * 2", 0, 20'000, 10'000);
  ASSERT_EQ(scalar.series.size(), 1u);
  EXPECT_EQ(scalar.type, PromqlType::kScalar);
  EXPECT_EQ(scalar.series[0].points[2].value, 40);
  EXPECT_FALSE(evaluate_range(store, "g", 0, 10, 0).ok());
  EXPECT_FALSE(evaluate_range(store, "g", 10, 0, 1).ok());
  EXPECT_FALSE(evaluate_range(store, "g", 0, 100'000'000, 1).ok());
}

TEST(PromqlRange, HourWindowReadsTheDownsampledTier) {
  // A counter growing 1/s, scraped every 5 s for 70 minutes. The raw tier holds the last 15
  // minutes; older steps of the 60-minute chart are served by 10 s buckets.
  SeriesStore store;
  for (int64_t t = 0; t <= 70 * 60; t += 5)
    scrape(store, t, "# TYPE c counter\nc " + std::to_string(t) + "\n");
  int64_t end = 70 * 60 * 1000;
  auto r = evaluate_range(store, "rate(c[5m])", end - 3'600'000, end, 60'000);
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.series.size(), 1u);
  ASSERT_EQ(r.series[0].points.size(), 61u);
  for (auto const& p : r.series[0].points) {
    // Linear data: the rate is exactly 1 in either tier; where a window straddles the tiers the
    // spacing changes and extrapolation may stop half an interval early (at most 2.5 % low).
    EXPECT_LE(p.value, 1.0 + 1e-9) << p.t_ms;
    EXPECT_GE(p.value, 0.97) << p.t_ms;
  }
  EXPECT_NEAR(r.series[0].points.front().value, 1.0, 1e-9);  // entirely coarse
  EXPECT_NEAR(r.series[0].points.back().value, 1.0, 1e-9);   // entirely raw
}

// ---- parse errors: each row with the exact column and message. ----

struct ErrorRow {
  std::string_view expr;
  std::string_view error;
};

void PrintTo(ErrorRow const& row, std::ostream* out) { *out << testing::PrintToString(row.expr); }

class PromqlParseError : public testing::TestWithParam<ErrorRow> {};

TEST_P(PromqlParseError, SaysWhereAndWhatWasExpected) {
  auto r = parse_promql(GetParam().expr);
  ASSERT_FALSE(r.ok()) << GetParam().expr;
  EXPECT_EQ(r.error->to_string(), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, PromqlParseError,
    testing::Values(
        ErrorRow{"sum(rate(x[5m])", "column 16: expected ')' to close sum(, found end of input"},
        ErrorRow{"rate(x)",
                 "column 6: expected a range vector as argument 1 of rate(), found an instant vector (like "
                 "rate(x[5m]))"},
        ErrorRow{"x[5]",
                 "column 3: expected a duration like 30s, 5m or 1h30m in the range selector, found \"5\""},
        ErrorRow{"x[]",
                 "column 3: expected a duration like 30s, 5m or 1h30m in the range selector, found nothing"},
        ErrorRow{"x{a=b}", "column 5: expected a quoted string as the value of label \"a\", found \"b\""},
        ErrorRow{"x{a~\"b\"}", "column 4: unexpected character '~'"},
        ErrorRow{"x{a=\"b\" c=\"d\"}",
                 "column 9: expected ',' or '}' after the matcher of label \"a\", found \"c\""},
        ErrorRow{"x{a:b=\"c\"}", "column 3: expected a label name or '}' in the selector, found \"a:b\""},
        ErrorRow{"1 > 2",
                 "column 3: comparisons between two scalars need the bool modifier, like 1 > bool 0"},
        ErrorRow{"x + on(a) 1", "column 3: on/ignoring only apply between two instant vectors"},
        ErrorRow{"x and 1", "column 3: operator and needs instant vectors on both sides"},
        ErrorRow{"x + bool y", "column 5: the bool modifier only applies to comparison operators"},
        ErrorRow{"x == bool", "column 10: expected an expression, found end of input"},
        ErrorRow{"x * group_left y", "column 5: group_left (many-to-one matching) is not supported"},
        ErrorRow{"x offset 5m", "column 3: the offset modifier is not supported"},
        ErrorRow{"x @ 100", "column 3: the @ modifier is not supported"},
        ErrorRow{"rate(x[5m:1m])", "column 10: subqueries are not supported"},
        ErrorRow{"abs(x)[5m]",
                 "column 7: a range [...] can only follow a metric selector, like x[5m] (subqueries are not "
                 "supported)"},
        ErrorRow{"sum(x) by (a) by (b)", "column 15: unexpected \"by\" after the end of the expression"},
        ErrorRow{"sum by (a (x)", "column 11: expected ',' or ')' in by(...), found '('"},
        ErrorRow{"{}",
                 "column 1: a selector needs at least one matcher that does not match the empty string, like "
                 "{job=~\".+\"}"},
        ErrorRow{"{a=~\".*\"}",
                 "column 1: a selector needs at least one matcher that does not match the empty string, like "
                 "{job=~\".+\"}"},
        ErrorRow{"x[5m]",
                 "column 1: a range vector cannot be the result; apply a function to it, like rate(x[5m])"},
        ErrorRow{
            "histogram_quantile(x, y)",
            "column 20: expected a scalar as argument 1 of histogram_quantile(), found an instant vector"},
        ErrorRow{"rate(x[5m], 1)", "column 13: rate() takes 1 argument, found 2"},
        ErrorRow{"time(1)", "column 6: time() takes 0 arguments, found 1"},
        ErrorRow{"clamp_min(x)", "column 12: clamp_min() takes 2 arguments, found 1"},
        ErrorRow{"5m",
                 "column 1: invalid number \"5m\" (durations like 5m only go inside a range selector, like "
                 "x[5m])"},
        ErrorRow{"quantile(0.9, x)",
                 "column 1: the aggregation quantile is not supported (supported: sum, avg, min, max, count, "
                 "topk)"},
        ErrorRow{"\"abc\"", "column 1: string literals are only supported as label matcher values"},
        ErrorRow{"x{a=\"\\d\"}",
                 "column 6: invalid escape sequence in string (a regex backslash is written \\\\, like "
                 "\"a\\\\.b\")"},
        ErrorRow{"x{a=\"b}", "column 5: unterminated string (expected a closing \")"},
        ErrorRow{"(x", "column 3: expected ')' to close the '(' at column 1, found end of input"},
        ErrorRow{"topk(x)", "column 6: expected a scalar as the k of topk, found an instant vector"},
        ErrorRow{"sum(rate(x[5m])[1m])",
                 "column 16: a range [...] can only follow a metric selector, like x[5m] (subqueries are not "
                 "supported)"},
        ErrorRow{"sum(x[5m])",
                 "column 5: expected an instant vector as the argument of sum, found a range vector (apply a "
                 "function like rate() to it first)"},
        ErrorRow{
            "x[5m] + 1",
            "column 1: operator + needs scalars or instant vectors, found a range vector (apply a function "
            "like rate() to it first)"},
        ErrorRow{"x{__name__=\"y\"}", "column 12: the metric name is set twice (before '{' and as __name__)"},
        ErrorRow{"", "column 1: expected an expression, found end of input"},
        ErrorRow{"x y", "column 3: unexpected \"y\" after the end of the expression"}),
    prodmcp::testing::row_names<ErrorRow>([](ErrorRow const& row) { return row.expr; }));

TEST(PromqlParse, InvalidRegexIsAParseError) {
  auto r = parse_promql("x{a=~\"(\"}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error->column, 6);
  EXPECT_EQ(r.error->message.rfind("invalid regular expression \"(\": ", 0), 0u) << r.error->message;
}

TEST(PromqlParse, ValidExpressionsOfTheShippedRules) {
  for (std::string_view e : {
           "sum(rate(mcp_requests_total{status=\"error\"}[5m])) / sum(rate(mcp_requests_total[5m])) > 0.05",
           "histogram_quantile(0.99, sum by (le, method) (rate(mcp_request_duration_seconds_bucket[5m]))) > "
           "1",
           "up == 0",
           "max_over_time(mcp_cpu_usage_percent[10m]) > 90",
           "increase(mcp_log_lines_dropped_total[15m]) > 0",
           "avg_over_time(process_open_fds[5m]) / process_max_fds > 0.8",
           "topk(3, sum without (client_id, version) (rate(mcp_requests_total[1h])))",
           "sum(rate(x[1h30m])) by (job) or on(job) vector_like_metric unless ignoring(a) y",
           "clamp_min(delta(g[5m]), 0) + abs(g) - time() % 60 ^ 2",
           "x{a=~'b.*', c!~`d\\w+`, e!=\"f\"} >= bool 1",
           "# a comment\n  irate(x[30s])  # another\n",
       }) {
    auto r = parse_promql(e);
    EXPECT_TRUE(r.ok()) << e << "\n" << (r.error ? r.error->to_string() : "");
  }
}

TEST(PromqlParse, ErrorsReachTheEvaluateCalls) {
  SeriesStore store;
  EXPECT_EQ(evaluate_instant(store, "rate(x)", 0).error,
            "column 6: expected a range vector as argument 1 of rate(), found an instant vector (like "
            "rate(x[5m]))");
  EXPECT_FALSE(evaluate_range(store, "sum(", 0, 10, 1).ok());
}
