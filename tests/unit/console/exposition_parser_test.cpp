#include "metrics/exposition_parser.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "support/param_names.hpp"

using prodmcp::console::metrics::Label;
using prodmcp::console::metrics::MetricFamily;
using prodmcp::console::metrics::MetricType;
using prodmcp::console::metrics::parse_exposition;
using prodmcp::console::metrics::parse_prometheus_float;
using prodmcp::console::metrics::ParseOptions;
using prodmcp::console::metrics::ParseResult;

namespace {

std::string read_data(std::string const& name) {
  std::ifstream in(std::string(PRODMCP_CONSOLE_TEST_DATA) + "/" + name, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

MetricFamily const* find_family(ParseResult const& result, std::string_view name) {
  for (auto const& f : result.families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string first_error(ParseResult const& result) {
  return result.errors.empty() ? std::string("(no error)") : result.errors.front().to_string();
}

}  // namespace

// ---- Broken input: every row is one bad line, with the exact position and the message. ----

struct BrokenRow {
  std::string_view text;
  std::string_view error;  // the first error, as ParseError::to_string()
};

void PrintTo(BrokenRow const& row, std::ostream* out) { *out << testing::PrintToString(row.text); }

class BrokenInput : public testing::TestWithParam<BrokenRow> {};

TEST_P(BrokenInput, ReportsLineColumnAndWhatWasExpected) {
  auto result = parse_exposition(GetParam().text);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(first_error(result), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, BrokenInput,
    testing::Values(
        BrokenRow{"ok 1\nhttp_requests_total{method=GET} 1\n",
                  "line 2, column 28: expected '\"' to start the value of label \"method\", found 'G'"},
        BrokenRow{"a{b=\"x\" 1",
                  "line 1, column 9: expected ',' or '}' after the value of label \"b\", found '1'"},
        BrokenRow{"a{b=\"x} 1",
                  "line 1, column 5: unterminated value of label \"b\" (expected a closing '\"')"},
        BrokenRow{"a{b\"x\"} 1", "line 1, column 4: expected '=' after label name \"b\", found '\"'"},
        BrokenRow{"a{,} 1",
                  "line 1, column 3: expected a label name or '}' in the labels of \"a\", found ','"},
        BrokenRow{"a{1b=\"x\"} 1",
                  "line 1, column 3: expected a label name or '}' in the labels of \"a\", found '1'"},
        BrokenRow{"a{b=\"x\",b=\"y\"} 1", "line 1, column 9: duplicate label name \"b\" in one sample"},
        BrokenRow{"a{b=\"x\\t\"} 1",
                  "line 1, column 7: invalid escape sequence in the value of label \"b\" (expected \\\\, "
                  "\\\" or \\n)"},
        BrokenRow{"1abc 2",
                  "line 1, column 1: expected a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) or '#', found '1'"},
        BrokenRow{"a-b 2",
                  "line 1, column 2: invalid character '-' in metric name (expected [a-zA-Z0-9_:], '{' or a "
                  "space)"},
        BrokenRow{"metric", "line 1, column 7: expected a sample value after \"metric\", found end of line"},
        BrokenRow{"metric{}",
                  "line 1, column 9: expected a sample value after \"metric\", found end of line"},
        BrokenRow{"metric{}1", "line 1, column 9: expected a space before the sample value, found '1'"},
        BrokenRow{"metric abc",
                  "line 1, column 8: expected a number as the sample value (like 1, -2.5e3, NaN, +Inf), "
                  "found \"abc\""},
        BrokenRow{"metric -NaN",
                  "line 1, column 8: expected a number as the sample value (like 1, -2.5e3, NaN, +Inf), "
                  "found \"-NaN\""},
        BrokenRow{"metric 0x10",
                  "line 1, column 8: expected a number as the sample value (like 1, -2.5e3, NaN, +Inf), "
                  "found \"0x10\""},
        BrokenRow{"metric 1 1.5",
                  "line 1, column 10: expected an integer timestamp in milliseconds, found \"1.5\""},
        BrokenRow{"metric 1 15 x",
                  "line 1, column 13: unexpected text after the timestamp (expected end of line), found 'x'"},
        BrokenRow{"# TYPE m countr",
                  "line 1, column 10: unknown metric type \"countr\" (expected counter, gauge, histogram, "
                  "summary or "
                  "untyped)"},
        BrokenRow{"# TYPE m",
                  "line 1, column 9: expected a metric type (counter, gauge, histogram, summary or untyped), "
                  "found end "
                  "of line"},
        BrokenRow{"# TYPE m gauge extra",
                  "line 1, column 16: unexpected text after the metric type (expected end of line)"},
        BrokenRow{"# TYPE m gauge\n# TYPE m counter",
                  "line 2, column 8: second TYPE line for \"m\" (the first is on line 1)"},
        BrokenRow{"m 1\n# TYPE m gauge",
                  "line 2, column 8: TYPE line for \"m\" after its samples (expected TYPE before the first "
                  "sample)"},
        BrokenRow{"# HELP 9m x", "line 1, column 8: expected a metric name after HELP, found '9'"},
        BrokenRow{"# HELP m-x y",
                  "line 1, column 9: invalid character '-' in metric name (expected [a-zA-Z0-9_:])"},
        BrokenRow{"# HELP m bad \\t escape",
                  "line 1, column 14: invalid escape sequence in HELP text (expected \\\\ or \\n)"},
        BrokenRow{"# HELP m a\n# HELP m b",
                  "line 2, column 8: second HELP line for \"m\" (the first is on line 1)"},
        BrokenRow{
            "# TYPE h histogram\nh_bucket{le=\"abc\"} 1",
            "line 2, column 1: label \"le\" of histogram bucket \"h_bucket\" must be a number, got \"abc\""},
        BrokenRow{"# TYPE h histogram\nh_bucket 1",
                  "line 2, column 1: histogram bucket \"h_bucket\" without a \"le\" label"},
        BrokenRow{"# TYPE h histogram\nh 1",
                  "line 2, column 1: sample \"h\" of histogram \"h\" (expected h_bucket, h_sum or h_count)"},
        BrokenRow{
            "# TYPE s summary\ns{quantile=\"p99\"} 1",
            "line 2, column 1: label \"quantile\" of summary quantile \"s\" must be a number, got \"p99\""},
        BrokenRow{"# TYPE s summary\ns 1",
                  "line 2, column 1: summary quantile \"s\" without a \"quantile\" label"},
        BrokenRow{"ok 1\r\n  bad{x=\"1\"} y\r\n",
                  "line 2, column 14: expected a number as the sample value (like 1, -2.5e3, NaN, +Inf), "
                  "found \"y\""}),
    prodmcp::testing::row_names<BrokenRow>([](BrokenRow const& row) { return row.text; }));

// ---- Valid input: each row is one sample line and what it must parse to. ----

struct SampleRow {
  std::string_view text;
  std::string_view name;
  std::vector<Label> labels;
  double value;
  std::optional<int64_t> timestamp_ms;
};

void PrintTo(SampleRow const& row, std::ostream* out) { *out << testing::PrintToString(row.text); }

class ValidSample : public testing::TestWithParam<SampleRow> {};

TEST_P(ValidSample, Parses) {
  auto const& row = GetParam();
  auto result = parse_exposition(row.text);
  ASSERT_TRUE(result.ok()) << first_error(result);
  ASSERT_EQ(result.families.size(), 1u);
  ASSERT_EQ(result.families[0].samples.size(), 1u);
  auto const& s = result.families[0].samples[0];
  EXPECT_EQ(s.name, row.name);
  EXPECT_EQ(s.labels, row.labels);
  if (std::isnan(row.value)) {
    EXPECT_TRUE(std::isnan(s.value));
  } else {
    EXPECT_EQ(s.value, row.value);
  }
  EXPECT_EQ(s.timestamp_ms, row.timestamp_ms);
}

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

INSTANTIATE_TEST_SUITE_P(
    Rows, ValidSample,
    testing::Values(
        SampleRow{"up 1", "up", {}, 1, std::nullopt}, SampleRow{"up{} 0", "up", {}, 0, std::nullopt},
        SampleRow{"a:b_c{z=\"1\",a=\"2\"} 3", "a:b_c", {{"a", "2"}, {"z", "1"}}, 3, std::nullopt},
        SampleRow{"m{a=\"x\",} 1", "m", {{"a", "x"}}, 1, std::nullopt},
        SampleRow{"m { a = \"x\" , b=\"\" } 1", "m", {{"a", "x"}, {"b", ""}}, 1, std::nullopt},
        SampleRow{"m{p=\"C:\\\\dir\\\\\",q=\"say \\\"hi\\\"\",r=\"a\\nb\"} 1",
                  "m",
                  {{"p", "C:\\dir\\"}, {"q", "say \"hi\""}, {"r", "a\nb"}},
                  1,
                  std::nullopt},
        SampleRow{"m{v=\"{}=,# \"} 1", "m", {{"v", "{}=,# "}}, 1, std::nullopt},
        SampleRow{"m NaN", "m", {}, kNaN, std::nullopt}, SampleRow{"m nan", "m", {}, kNaN, std::nullopt},
        SampleRow{"m +Inf", "m", {}, kInf, std::nullopt}, SampleRow{"m -Inf", "m", {}, -kInf, std::nullopt},
        SampleRow{"m Inf", "m", {}, kInf, std::nullopt}, SampleRow{"m 1.5e3", "m", {}, 1500, std::nullopt},
        SampleRow{"m -2.5E-3", "m", {}, -0.0025, std::nullopt}, SampleRow{"m +7", "m", {}, 7, std::nullopt},
        SampleRow{"m .5", "m", {}, 0.5, std::nullopt}, SampleRow{"m 1e308", "m", {}, 1e308, std::nullopt},
        SampleRow{"m 1 1712345678901", "m", {}, 1, 1712345678901}, SampleRow{"m 1 -5", "m", {}, 1, -5},
        SampleRow{"\tm\t2\t", "m", {}, 2, std::nullopt}, SampleRow{"m 3\r\n", "m", {}, 3, std::nullopt}),
    prodmcp::testing::row_names<SampleRow>([](SampleRow const& row) { return row.text; }));

TEST(ExpositionParser, HelpAndTypeWithEscapesAndOtherComments) {
  auto result = parse_exposition(
      "# A free comment that is ignored\n"
      "# HELP http_requests_total Requests \\\\ per\\nline, with \"quotes\".\n"
      "# TYPE http_requests_total counter\n"
      "#HELP g Gauge help\n"
      "# TYPE g gauge\n"
      "\n"
      "http_requests_total{code=\"200\"} 5\n"
      "http_requests_total{code=\"500\"} 1\n"
      "g 2.5\n");
  ASSERT_TRUE(result.ok()) << first_error(result);
  ASSERT_EQ(result.families.size(), 2u);
  EXPECT_EQ(result.families[0].name, "http_requests_total");
  EXPECT_EQ(result.families[0].type, MetricType::kCounter);
  EXPECT_EQ(result.families[0].help, "Requests \\ per\nline, with \"quotes\".");
  EXPECT_EQ(result.families[0].samples.size(), 2u);
  EXPECT_EQ(result.families[1].help, "Gauge help");
  EXPECT_EQ(result.families[1].type, MetricType::kGauge);
  EXPECT_EQ(result.sample_count, 3u);
}

TEST(ExpositionParser, HistogramAndSummarySamplesAreGroupedUnderTheirFamily) {
  auto result = parse_exposition(
      "# TYPE lat histogram\n"
      "lat_bucket{le=\"0.1\"} 1\n"
      "lat_bucket{le=\"+Inf\"} 3\n"
      "lat_sum 0.9\n"
      "lat_count 3\n"
      "# TYPE rpc summary\n"
      "rpc{quantile=\"0.5\"} 0.2\n"
      "rpc{quantile=\"0.99\"} NaN\n"
      "rpc_sum 4\n"
      "rpc_count 20\n"
      "other_count 1\n");
  ASSERT_TRUE(result.ok()) << first_error(result);
  ASSERT_EQ(result.families.size(), 3u);
  EXPECT_EQ(result.families[0].type, MetricType::kHistogram);
  EXPECT_EQ(result.families[0].samples.size(), 4u);
  EXPECT_EQ(result.families[0].samples[1].labels, (std::vector<Label>{{"le", "+Inf"}}));
  EXPECT_EQ(result.families[1].type, MetricType::kSummary);
  EXPECT_EQ(result.families[1].samples.size(), 4u);
  // No TYPE line and no typed base family: an untyped family of its own.
  EXPECT_EQ(result.families[2].name, "other_count");
  EXPECT_EQ(result.families[2].type, MetricType::kUntyped);
}

TEST(ExpositionParser, UntypedSamplesWithoutTypeLines) {
  auto result = parse_exposition("a 1\na 2\nb{x=\"1\"} 3\n");
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result.families.size(), 2u);
  EXPECT_EQ(result.families[0].type, MetricType::kUntyped);
  EXPECT_EQ(result.families[0].samples.size(), 2u);
  EXPECT_EQ(result.families[1].name, "b");
}

TEST(ExpositionParser, BadLinesAreSkippedAndGoodLinesKept) {
  auto result = parse_exposition("a 1\nb{ 2\nc 3\nd x\ne 5\n");
  EXPECT_EQ(result.error_count, 2u);
  ASSERT_EQ(result.errors.size(), 2u);
  EXPECT_EQ(result.errors[0].line, 2);
  EXPECT_EQ(result.errors[1].line, 4);
  EXPECT_EQ(result.sample_count, 3u);
  ASSERT_EQ(result.families.size(), 3u);
  EXPECT_EQ(result.families[2].name, "e");
}

TEST(ExpositionParser, ErrorsAreCappedButAllCounted) {
  std::string text;
  for (int i = 0; i < 50; ++i) text += "bad line\n";
  auto result = parse_exposition(text);
  EXPECT_EQ(result.error_count, 50u);
  EXPECT_EQ(result.errors.size(), 20u);
  auto few = parse_exposition(text, ParseOptions{.max_errors = 3});
  EXPECT_EQ(few.errors.size(), 3u);
  EXPECT_EQ(few.errors[2].line, 3);
}

TEST(ExpositionParser, EmptyAndBlankInput) {
  EXPECT_TRUE(parse_exposition("").families.empty());
  auto result = parse_exposition("\n  \n\r\n\t\n");
  EXPECT_TRUE(result.ok());
  EXPECT_TRUE(result.families.empty());
}

TEST(ExpositionParser, FloatSyntax) {
  EXPECT_EQ(parse_prometheus_float("INF"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(parse_prometheus_float("-infinity"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(parse_prometheus_float("1e-3"), 0.001);
  EXPECT_FALSE(parse_prometheus_float(""));
  EXPECT_FALSE(parse_prometheus_float("+"));
  EXPECT_FALSE(parse_prometheus_float("1.2.3"));
  EXPECT_FALSE(parse_prometheus_float("+NaN"));
  EXPECT_FALSE(parse_prometheus_float("1e999"));  // out of range, as ParseFloat reports it
  EXPECT_FALSE(parse_prometheus_float(" 1"));
}

// ---- Real output. ----

TEST(ExpositionParser, RealProdmcpServerMetrics) {
  std::string text = read_data("prodmcp_server_metrics.txt");
  ASSERT_FALSE(text.empty());
  auto result = parse_exposition(text);
  ASSERT_TRUE(result.ok()) << first_error(result);
  EXPECT_GT(result.sample_count, 20u);
  bool has_histogram = false;
  for (auto const& f : result.families) {
    EXPECT_FALSE(f.samples.empty()) << f.name;
    if (f.type != MetricType::kHistogram) continue;
    has_histogram = true;
    // Every histogram has a +Inf bucket, and its count equals _count for the same labels.
    bool has_inf = false;
    for (auto const& s : f.samples) {
      for (auto const& l : s.labels) has_inf |= l.name == "le" && l.value == "+Inf";
    }
    EXPECT_TRUE(has_inf) << f.name;
  }
  EXPECT_TRUE(has_histogram);
}

TEST(ExpositionParser, RealPrometheusServerMetrics) {
  std::string text = read_data("prometheus_server_metrics.txt");
  ASSERT_FALSE(text.empty());
  auto result = parse_exposition(text);
  ASSERT_TRUE(result.ok()) << first_error(result);
  EXPECT_GT(result.families.size(), 100u);
  auto const* gc = find_family(result, "go_gc_duration_seconds");
  ASSERT_NE(gc, nullptr);
  EXPECT_EQ(gc->type, MetricType::kSummary);
  EXPECT_FALSE(gc->help.empty());
  auto const* up = find_family(result, "prometheus_build_info");
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->type, MetricType::kGauge);
  auto const* durations = find_family(result, "prometheus_http_request_duration_seconds");
  ASSERT_NE(durations, nullptr);
  EXPECT_EQ(durations->type, MetricType::kHistogram);
}
