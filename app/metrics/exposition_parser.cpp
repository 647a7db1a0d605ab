#include "metrics/exposition_parser.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>

namespace prodmcp::console::metrics {

namespace {

constexpr bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool is_metric_start(char c) {
  return is_alpha(c) || c == '_' || c == ':';
}
constexpr bool is_metric_char(char c) {
  return is_metric_start(c) || is_digit(c);
}
constexpr bool is_label_start(char c) {
  return is_alpha(c) || c == '_';
}
constexpr bool is_label_char(char c) {
  return is_label_start(c) || is_digit(c);
}
constexpr bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// Per-family bookkeeping for the TYPE checks, kept beside the output so the output stays plain.
struct FamilyState {
  int type_line = 0;  // line of its TYPE, 0 if none
  int help_line = 0;
  bool has_samples = false;
};

class Parser {
 public:
  Parser(ParseResult& out, ParseOptions const& options) : out_(out), options_(options) {}

  void run(std::string_view text) {
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      line_ = text.substr(pos, end - pos);
      if (!line_.empty() && line_.back() == '\r') line_.remove_suffix(1);
      ++line_no_;
      parse_line();
      pos = end + 1;
    }
  }

 private:
  bool error(std::size_t pos, std::string message) {
    ++out_.error_count;
    if (out_.errors.size() < options_.max_errors) {
      out_.errors.push_back({line_no_, static_cast<int>(pos) + 1, std::move(message)});
    }
    return false;
  }

  // What stands at `pos`, for "expected X, found Y" messages.
  std::string found(std::size_t pos) const {
    if (pos >= line_.size()) return "end of line";
    return std::string("'") + line_[pos] + "'";
  }

  std::size_t skip_blanks(std::size_t pos) const {
    while (pos < line_.size() && is_blank(line_[pos])) ++pos;
    return pos;
  }

  std::size_t token_end(std::size_t pos) const {
    while (pos < line_.size() && !is_blank(line_[pos])) ++pos;
    return pos;
  }

  void parse_line() {
    std::size_t pos = skip_blanks(0);
    if (pos == line_.size()) return;
    if (line_[pos] == '#') {
      parse_comment(pos + 1);
      return;
    }
    parse_sample(pos);
  }

  // Like the reference parser, "#HELP" and "# HELP" are both directives; anything else is a comment.
  void parse_comment(std::size_t pos) {
    pos = skip_blanks(pos);
    std::size_t end = token_end(pos);
    std::string_view keyword = line_.substr(pos, end - pos);
    bool help = keyword == "HELP";
    if (!help && keyword != "TYPE") return;
    pos = skip_blanks(end);
    std::size_t name_start = pos;
    if (pos >= line_.size() || !is_metric_start(line_[pos])) {
      error(pos,
            std::string("expected a metric name after ") + std::string(keyword) + ", found " + found(pos));
      return;
    }
    while (pos < line_.size() && is_metric_char(line_[pos])) ++pos;
    if (pos < line_.size() && !is_blank(line_[pos])) {
      error(pos, std::string("invalid character ") + found(pos) + " in metric name (expected [a-zA-Z0-9_:])");
      return;
    }
    std::string_view name = line_.substr(name_start, pos - name_start);
    if (help) {
      parse_help(name, name_start, pos);
    } else {
      parse_type(name, name_start, pos);
    }
  }

  void parse_help(std::string_view name, std::size_t name_start, std::size_t pos) {
    // One separator blank; the text keeps any further leading spaces as written.
    if (pos < line_.size()) ++pos;
    std::string help;
    help.reserve(line_.size() - std::min(pos, line_.size()));
    while (pos < line_.size()) {
      char c = line_[pos];
      if (c != '\\') {
        help.push_back(c);
        ++pos;
        continue;
      }
      char next = pos + 1 < line_.size() ? line_[pos + 1] : '\0';
      if (next == '\\') {
        help.push_back('\\');
      } else if (next == 'n') {
        help.push_back('\n');
      } else {
        error(pos, "invalid escape sequence in HELP text (expected \\\\ or \\n)");
        return;
      }
      pos += 2;
    }
    std::size_t index = family_index(name);
    FamilyState& state = states_[index];
    if (state.help_line != 0) {
      error(name_start, "second HELP line for \"" + std::string(name) + "\" (the first is on line " +
                            std::to_string(state.help_line) + ")");
      return;
    }
    state.help_line = line_no_;
    out_.families[index].help = std::move(help);
  }

  void parse_type(std::string_view name, std::size_t name_start, std::size_t pos) {
    pos = skip_blanks(pos);
    std::size_t end = token_end(pos);
    std::string_view word = line_.substr(pos, end - pos);
    MetricType type;
    if (word == "counter") {
      type = MetricType::kCounter;
    } else if (word == "gauge") {
      type = MetricType::kGauge;
    } else if (word == "histogram") {
      type = MetricType::kHistogram;
    } else if (word == "summary") {
      type = MetricType::kSummary;
    } else if (word == "untyped") {
      type = MetricType::kUntyped;
    } else {
      error(pos, word.empty()
                     ? "expected a metric type (counter, gauge, histogram, summary or untyped), found "
                       "end of line"
                     : "unknown metric type \"" + std::string(word) +
                           "\" (expected counter, gauge, histogram, summary or untyped)");
      return;
    }
    std::size_t rest = skip_blanks(end);
    if (rest < line_.size()) {
      error(rest, "unexpected text after the metric type (expected end of line)");
      return;
    }
    std::size_t index = family_index(name);
    FamilyState& state = states_[index];
    if (state.type_line != 0) {
      error(name_start, "second TYPE line for \"" + std::string(name) + "\" (the first is on line " +
                            std::to_string(state.type_line) + ")");
      return;
    }
    if (state.has_samples) {
      error(name_start, "TYPE line for \"" + std::string(name) +
                            "\" after its samples (expected TYPE before the first sample)");
      return;
    }
    state.type_line = line_no_;
    out_.families[index].type = type;
  }

  std::size_t family_index(std::string_view name) {
    auto it = index_.find(name);
    if (it != index_.end()) return it->second;
    std::size_t index = out_.families.size();
    out_.families.push_back(MetricFamily{std::string(name), MetricType::kUntyped, {}, {}});
    states_.push_back({});
    index_.emplace(std::string(name), index);
    return index;
  }

  // Whether a sample named `sample` belongs to family `f` (histogram/summary series carry suffixes).
  static bool belongs(MetricFamily const& f, std::string_view sample) {
    if (sample == f.name) return true;
    if (f.type != MetricType::kHistogram && f.type != MetricType::kSummary) return false;
    if (sample.size() <= f.name.size() || sample.substr(0, f.name.size()) != f.name) return false;
    std::string_view suffix = sample.substr(f.name.size());
    return suffix == "_sum" || suffix == "_count" ||
           (f.type == MetricType::kHistogram && suffix == "_bucket");
  }

  std::size_t family_for_sample(std::string_view sample) {
    // Samples of one family come together, so the previous family is the usual answer.
    if (last_family_ < out_.families.size() && belongs(out_.families[last_family_], sample))
      return last_family_;
    if (auto it = index_.find(sample); it != index_.end()) return it->second;
    for (std::string_view suffix :
         {std::string_view("_bucket"), std::string_view("_sum"), std::string_view("_count")}) {
      if (sample.size() > suffix.size() && sample.substr(sample.size() - suffix.size()) == suffix) {
        auto it = index_.find(sample.substr(0, sample.size() - suffix.size()));
        if (it != index_.end() && belongs(out_.families[it->second], sample)) return it->second;
      }
    }
    return family_index(sample);
  }

  // Reads a quoted label value at `pos` (just past the opening quote) into `value`; returns the
  // position after the closing quote, or npos after reporting an error.
  std::size_t parse_label_value(std::size_t pos, std::string_view label, std::size_t quote_pos,
                                std::string& value) {
    while (true) {
      std::size_t stop = pos;
      while (stop < line_.size() && line_[stop] != '"' && line_[stop] != '\\') ++stop;
      value.append(line_.data() + pos, stop - pos);
      if (stop >= line_.size()) {
        error(quote_pos,
              "unterminated value of label \"" + std::string(label) + "\" (expected a closing '\"')");
        return std::string_view::npos;
      }
      if (line_[stop] == '"') return stop + 1;
      char next = stop + 1 < line_.size() ? line_[stop + 1] : '\0';
      if (next == '\\' || next == '"') {
        value.push_back(next);
      } else if (next == 'n') {
        value.push_back('\n');
      } else {
        error(stop, "invalid escape sequence in the value of label \"" + std::string(label) +
                        "\" (expected \\\\, \\\" or \\n)");
        return std::string_view::npos;
      }
      pos = stop + 2;
    }
  }

  // Parses "{a="x",b="y",}" starting at `pos` (the '{'); returns the position after '}' or npos.
  std::size_t parse_labels(std::size_t pos, std::string_view metric, std::vector<Label>& labels) {
    pos = skip_blanks(pos + 1);
    while (true) {
      if (pos < line_.size() && line_[pos] == '}') return pos + 1;
      if (pos >= line_.size() || !is_label_start(line_[pos])) {
        error(pos, "expected a label name or '}' in the labels of \"" + std::string(metric) + "\", found " +
                       found(pos));
        return std::string_view::npos;
      }
      std::size_t name_start = pos;
      while (pos < line_.size() && is_label_char(line_[pos])) ++pos;
      std::string_view name = line_.substr(name_start, pos - name_start);
      pos = skip_blanks(pos);
      if (pos >= line_.size() || line_[pos] != '=') {
        error(pos, "expected '=' after label name \"" + std::string(name) + "\", found " + found(pos));
        return std::string_view::npos;
      }
      pos = skip_blanks(pos + 1);
      if (pos >= line_.size() || line_[pos] != '"') {
        error(pos,
              "expected '\"' to start the value of label \"" + std::string(name) + "\", found " + found(pos));
        return std::string_view::npos;
      }
      for (Label const& existing : labels) {
        if (existing.name == name) {
          error(name_start, "duplicate label name \"" + std::string(name) + "\" in one sample");
          return std::string_view::npos;
        }
      }
      Label& label = labels.emplace_back();
      label.name.assign(name);
      pos = parse_label_value(pos + 1, name, pos, label.value);
      if (pos == std::string_view::npos) return pos;
      pos = skip_blanks(pos);
      if (pos < line_.size() && line_[pos] == ',') {
        pos = skip_blanks(pos + 1);  // a trailing comma before '}' is allowed
        continue;
      }
      if (pos < line_.size() && line_[pos] == '}') return pos + 1;
      error(pos, "expected ',' or '}' after the value of label \"" + std::string(name) + "\", found " +
                     found(pos));
      return std::string_view::npos;
    }
  }

  // The histogram/summary rules: buckets need a numeric "le", quantiles a numeric "quantile".
  bool check_family_rules(MetricFamily const& family, Sample const& sample, std::size_t name_pos) {
    std::string_view required;
    if (family.type == MetricType::kHistogram) {
      if (sample.name == family.name) {
        return error(name_pos, "sample \"" + sample.name + "\" of histogram \"" + family.name +
                                   "\" (expected " + family.name + "_bucket, " + family.name + "_sum or " +
                                   family.name + "_count)");
      }
      if (sample.name.size() > family.name.size() &&
          sample.name.compare(family.name.size(), 7, "_bucket") == 0) {
        required = "le";
      }
    } else if (family.type == MetricType::kSummary && sample.name == family.name) {
      required = "quantile";
    }
    if (required.empty()) return true;
    auto it = std::find_if(sample.labels.begin(), sample.labels.end(),
                           [&](Label const& l) { return l.name == required; });
    std::string what = required == "le" ? "histogram bucket" : "summary quantile";
    if (it == sample.labels.end()) {
      return error(name_pos,
                   what + " \"" + sample.name + "\" without a \"" + std::string(required) + "\" label");
    }
    if (!parse_prometheus_float(it->value)) {
      return error(name_pos, "label \"" + std::string(required) + "\" of " + what + " \"" + sample.name +
                                 "\" must be a number, got \"" + it->value + "\"");
    }
    return true;
  }

  void parse_sample(std::size_t pos) {
    std::size_t name_start = pos;
    if (!is_metric_start(line_[pos])) {
      error(pos, "expected a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) or '#', found " + found(pos));
      return;
    }
    while (pos < line_.size() && is_metric_char(line_[pos])) ++pos;
    std::string_view name = line_.substr(name_start, pos - name_start);
    Sample sample;
    sample.name.assign(name);
    std::size_t after_name = pos;
    pos = skip_blanks(pos);
    if (pos < line_.size() && line_[pos] == '{') {
      pos = parse_labels(pos, name, sample.labels);
      if (pos == std::string_view::npos) return;
      if (pos < line_.size() && !is_blank(line_[pos])) {
        error(pos, "expected a space before the sample value, found " + found(pos));
        return;
      }
      pos = skip_blanks(pos);
    } else if (pos == after_name && pos < line_.size()) {
      error(pos,
            "invalid character " + found(pos) + " in metric name (expected [a-zA-Z0-9_:], '{' or a space)");
      return;
    }
    if (pos >= line_.size()) {
      error(pos, "expected a sample value after \"" + std::string(name) + "\", found end of line");
      return;
    }
    std::size_t value_end = token_end(pos);
    std::string_view value_token = line_.substr(pos, value_end - pos);
    auto value = parse_prometheus_float(value_token);
    if (!value) {
      error(pos, "expected a number as the sample value (like 1, -2.5e3, NaN, +Inf), found \"" +
                     std::string(value_token) + "\"");
      return;
    }
    sample.value = *value;
    pos = skip_blanks(value_end);
    if (pos < line_.size()) {
      std::size_t ts_end = token_end(pos);
      int64_t ts = 0;
      auto [ptr, ec] = std::from_chars(line_.data() + pos, line_.data() + ts_end, ts);
      if (ec != std::errc{} || ptr != line_.data() + ts_end) {
        error(pos, "expected an integer timestamp in milliseconds, found \"" +
                       std::string(line_.substr(pos, ts_end - pos)) + "\"");
        return;
      }
      sample.timestamp_ms = ts;
      pos = skip_blanks(ts_end);
      if (pos < line_.size()) {
        error(pos, "unexpected text after the timestamp (expected end of line), found " + found(pos));
        return;
      }
    }
    // Sorted by name so equal series compare equal whatever order the exporter wrote.
    std::sort(sample.labels.begin(), sample.labels.end(),
              [](Label const& a, Label const& b) { return a.name < b.name; });
    std::size_t index = family_for_sample(sample.name);
    MetricFamily& family = out_.families[index];
    if (!check_family_rules(family, sample, name_start)) return;
    states_[index].has_samples = true;
    last_family_ = index;
    family.samples.push_back(std::move(sample));
    ++out_.sample_count;
  }

  ParseResult& out_;
  ParseOptions const& options_;
  std::unordered_map<std::string, std::size_t, StringHash, std::equal_to<>> index_;
  std::vector<FamilyState> states_;
  std::size_t last_family_ = std::numeric_limits<std::size_t>::max();
  std::string_view line_;
  int line_no_ = 0;
};

}  // namespace

std::string_view metric_type_name(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kSummary:
      return "summary";
    case MetricType::kUntyped:
      break;
  }
  return "untyped";
}

std::string ParseError::to_string() const {
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + message;
}

std::optional<double> parse_prometheus_float(std::string_view token) {
  if (token.empty()) return std::nullopt;
  bool negative = false;
  std::string_view rest = token;
  if (rest[0] == '+' || rest[0] == '-') {
    negative = rest[0] == '-';
    rest.remove_prefix(1);
  }
  if (iequals(rest, "inf") || iequals(rest, "infinity")) {
    return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  // As Go's ParseFloat: NaN takes no sign.
  if (rest.size() == token.size() && iequals(rest, "nan")) return std::numeric_limits<double>::quiet_NaN();
  // from_chars would also take "nan"/"inf" spellings and hex digits after a sign; allow only decimals.
  if (rest.empty() || !(is_digit(rest[0]) || rest[0] == '.')) return std::nullopt;
  double value = 0;
  auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value, std::chars_format::general);
  if (ec != std::errc{} || ptr != rest.data() + rest.size()) return std::nullopt;
  return negative ? -value : value;
}

bool is_valid_metric_name(std::string_view name) {
  if (name.empty() || !is_metric_start(name[0])) return false;
  return std::all_of(name.begin(), name.end(), is_metric_char);
}

bool is_valid_label_name(std::string_view name) {
  if (name.empty() || !is_label_start(name[0])) return false;
  return std::all_of(name.begin(), name.end(), is_label_char);
}

ParseResult parse_exposition(std::string_view text, ParseOptions const& options) {
  ParseResult result;
  Parser parser(result, options);
  parser.run(text);
  return result;
}

}  // namespace prodmcp::console::metrics
