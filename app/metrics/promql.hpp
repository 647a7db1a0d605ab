#pragma once
// A PromQL subset, evaluated over one SeriesStore. The same expression string is written to the
// shipped Prometheus rule file and evaluated by the console, so what is supported behaves as in
// Prometheus 3 (left-open range and lookback windows, extrapolatedRate, bucketQuantile), and
// what is not is rejected at parse time with the column and the reason, never half-evaluated.
//
// Supported: number literals (decimal, exponent, Inf, NaN); instant selectors with =, !=, =~, !~
// (regexes fully anchored, compiled once at parse time); range selectors [30s] [5m] [1h30m]
// (units ms s m h d w y); rate, increase, irate, delta, avg_over_time, max_over_time,
// min_over_time, changes, resets, histogram_quantile, clamp_min, clamp_max, abs, time; sum, avg, min, max, count,
// topk with by/without before or after the argument; + - * / % ^, == != > < >= <= (filtering, or
// 0/1 with bool), and, or, unless, with on(...)/ignoring(...) one-to-one matching; unary minus;
// parentheses; Prometheus's precedence.
// Not supported: offset, @, subqueries, group_left/group_right, string results, and the other
// functions and aggregations.
#include <cstdint>
#include <memory>
#include <optional>
#include <QRegularExpression>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/exposition_parser.hpp"
#include "metrics/series_store.hpp"

namespace prodmcp::console::metrics {

enum class PromqlType { kScalar, kVector, kMatrix };

struct LabelMatcher {
  enum class Op { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };
  std::string name;
  Op op = Op::kEqual;
  std::string value;
  std::shared_ptr<QRegularExpression const> regex;   // set for =~ and !~ (PCRE2: no deep recursion)
  bool matches(std::string_view label_value) const;  // an absent label has the value ""
};

enum class PromqlFunction {
  kRate,
  kIncrease,
  kIrate,
  kDelta,
  kAvgOverTime,
  kMaxOverTime,
  kMinOverTime,
  kHistogramQuantile,
  kClampMin,
  kClampMax,
  kAbs,
  kTime,
  kChanges,
  kResets,
};

enum class PromqlAggregation { kSum, kAvg, kMin, kMax, kCount, kTopk };

enum class PromqlBinaryOp {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kEqual,
  kNotEqual,
  kGreater,
  kLess,
  kGreaterEqual,
  kLessEqual,
  kAnd,
  kOr,
  kUnless,
};

// One node of a parsed expression. A plain tagged struct: only the fields of its kind are set.
struct PromqlExpr {
  enum class Kind { kNumber, kSelector, kRangeSelector, kCall, kAggregation, kBinary, kNegation };
  Kind kind = Kind::kNumber;
  PromqlType type = PromqlType::kScalar;
  int column = 0;  // 1-based, where the node starts in the text

  double number = 0;                   // kNumber
  std::vector<LabelMatcher> matchers;  // kSelector, kRangeSelector (the metric name is a __name__ matcher)
  int64_t range_ms = 0;                // kRangeSelector
  PromqlFunction function{};           // kCall
  PromqlAggregation aggregation{};     // kAggregation
  std::vector<std::string> grouping;   // kAggregation: by/without labels; kBinary: on/ignoring labels
  bool without = false;                // kAggregation: without(...)
  PromqlBinaryOp op{};                 // kBinary
  bool return_bool = false;            // kBinary: the bool modifier
  bool on = false;                     // kBinary: on(...) rather than ignoring(...)
  // kCall: the arguments; kAggregation: [parameter,] argument; kBinary: lhs, rhs; kNegation: operand.
  std::vector<std::unique_ptr<PromqlExpr>> children;
};

struct PromqlError {
  int column = 0;  // 1-based
  std::string message;
  std::string to_string() const;  // "column 12: expected ..."
};

struct PromqlParseResult {
  std::unique_ptr<PromqlExpr> expr;  // null on error
  std::optional<PromqlError> error;
  bool ok() const { return expr != nullptr; }
};

PromqlParseResult parse_promql(std::string_view text);

struct PromqlSample {
  std::vector<Label> labels;  // sorted by name; "__name__" holds the metric name where kept
  double value = 0;
};

struct PromqlSeries {
  std::vector<Label> labels;
  std::vector<Point> points;  // one per step where the series had a value
};

struct InstantResult {
  PromqlType type = PromqlType::kVector;  // kScalar or kVector
  double scalar = 0;
  std::vector<PromqlSample> vector;  // sorted by labels
  std::string error;                 // parse or evaluation error; empty on success
  bool ok() const { return error.empty(); }
};

struct RangeResult {
  PromqlType type = PromqlType::kVector;
  std::vector<PromqlSeries> series;  // sorted by labels; a scalar result is one series without labels
  std::string error;
  bool ok() const { return error.empty(); }
};

// Prometheus's default lookback for instant selectors.
inline constexpr int64_t kLookbackDeltaMs = 5 * 60'000;

// Each call reads the store under one shared lock of its own (consistent across all steps), so the
// caller must not hold a SeriesStore::Reader on the same thread meanwhile: a second shared lock
// queued behind the scrape writer would deadlock.
InstantResult evaluate_instant(SeriesStore const& store, PromqlExpr const& expr, int64_t t_ms);
InstantResult evaluate_instant(SeriesStore const& store, std::string_view expr, int64_t t_ms);
// Evaluates at start, start + step, ... up to end, as Prometheus's query_range.
RangeResult evaluate_range(SeriesStore const& store, PromqlExpr const& expr, int64_t start_ms, int64_t end_ms,
                           int64_t step_ms);
RangeResult evaluate_range(SeriesStore const& store, std::string_view expr, int64_t start_ms, int64_t end_ms,
                           int64_t step_ms);

// bucketQuantile of Prometheus: `buckets` are (upper bound, cumulative count), in any order.
double bucket_quantile(double q, std::vector<std::pair<double, double>> buckets);

}  // namespace prodmcp::console::metrics
