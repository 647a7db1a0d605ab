#pragma once
// Parser for the Prometheus text exposition format 0.0.4 (what /metrics serves). Bad lines are
// reported with line and column and skipped; the good lines are still returned, so the caller
// decides whether a partly broken scrape is usable.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace prodmcp::console::metrics {

enum class MetricType { kCounter, kGauge, kHistogram, kSummary, kUntyped };

// "counter", "gauge", "histogram", "summary", "untyped".
std::string_view metric_type_name(MetricType type);

struct Label {
  std::string name;
  std::string value;
  friend bool operator==(Label const&, Label const&) = default;
};

struct Sample {
  std::string name;           // full sample name, e.g. "http_request_duration_seconds_bucket"
  std::vector<Label> labels;  // sorted by name, names unique
  double value = 0;
  std::optional<int64_t> timestamp_ms;
};

struct MetricFamily {
  std::string name;  // the family name ("x" for the samples x_bucket, x_sum, x_count)
  MetricType type = MetricType::kUntyped;
  std::string help;  // unescaped
  std::vector<Sample> samples;
};

struct ParseError {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in bytes
  std::string message;
  // "line 12, column 27: expected '\"' to start the value of label \"method\""
  std::string to_string() const;
};

struct ParseResult {
  std::vector<MetricFamily> families;  // in order of first appearance
  std::vector<ParseError> errors;      // the first `max_errors` errors
  std::size_t error_count = 0;         // all errors, also those past the cap
  std::size_t sample_count = 0;
  bool ok() const { return error_count == 0; }
};

struct ParseOptions {
  std::size_t max_errors = 20;
};

ParseResult parse_exposition(std::string_view text, ParseOptions const& options = {});

// Number syntax shared with the PromQL lexer: decimal and exponent forms, and NaN, Inf, +Inf,
// -Inf (case-insensitive). The whole token must be a number.
std::optional<double> parse_prometheus_float(std::string_view token);

bool is_valid_metric_name(std::string_view name);  // [a-zA-Z_:][a-zA-Z0-9_:]*
bool is_valid_label_name(std::string_view name);   // [a-zA-Z_][a-zA-Z0-9_]*

}  // namespace prodmcp::console::metrics
