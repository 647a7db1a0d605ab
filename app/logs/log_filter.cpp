#include "logs/log_filter.hpp"

#include <QRegularExpression>
#include <QString>

#include <algorithm>
#include <array>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace prodmcp::console::logs {

namespace {

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Case-insensitive (ASCII) Boyer-Moore-Horspool: most lines are rejected by looking at one byte in
// needle-length steps, which beats a byte-by-byte scan for all but one-letter needles.
class FoldedSearcher {
 public:
  explicit FoldedSearcher(std::string_view needle) {
    needle_.reserve(needle.size());
    for (char const c : needle) needle_.push_back(ascii_lower(c));
    skip_.fill(needle_.size());
    for (std::size_t i = 0; i + 1 < needle_.size(); ++i)
      skip_[static_cast<unsigned char>(needle_[i])] = needle_.size() - 1 - i;
  }

  bool found_in(std::string_view text) const {
    std::size_t const n = needle_.size();
    if (n == 0) return true;
    if (text.size() < n) return false;
    char const last = needle_[n - 1];
    for (std::size_t at = 0; at + n <= text.size();) {
      char const c = ascii_lower(text[at + n - 1]);
      if (c == last) {
        std::size_t i = 0;
        while (i + 1 < n && ascii_lower(text[at + i]) == needle_[i]) ++i;
        if (i + 1 >= n) return true;
      }
      at += skip_[static_cast<unsigned char>(c)];
    }
    return false;
  }

 private:
  std::string needle_;
  std::array<std::size_t, 256> skip_{};
};

std::optional<double> to_number(std::string_view text) {
  double value = 0;
  auto const* end = text.data() + text.size();
  auto const [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

QRegularExpression::PatternOptions regex_options(bool ignore_case) {
  return ignore_case ? QRegularExpression::CaseInsensitiveOption : QRegularExpression::NoPatternOption;
}

// ---- Query parsing

class QueryParser {
 public:
  explicit QueryParser(std::string_view query) : query_(query) {}

  ParsedFilter parse() {
    ParsedFilter result;
    while (result.ok()) {
      while (pos_ < query_.size() && is_space(query_[pos_])) ++pos_;
      if (pos_ == query_.size()) break;
      term_start_ = pos_;
      error_.clear();
      term(result.spec);
      if (!error_.empty()) {
        result.error = error_;
        result.error_offset = term_start_;
      }
    }
    return result;
  }

 private:
  enum class Op { kNone, kEqual, kNotEqual, kLess, kLessEqual, kGreater, kGreaterEqual };

  void term(FilterSpec& spec) {
    char const c = query_[pos_];
    if (c == '"') {
      if (auto text = quoted()) spec.substrings.push_back(std::move(*text));
    } else if (c == '-') {
      ++pos_;
      if (pos_ == query_.size() || is_space(query_[pos_])) {
        error_ = "'-' must be followed by the text to exclude";
      } else if (query_[pos_] == '"') {
        if (auto text = quoted()) spec.excluded.push_back(std::move(*text));
      } else {
        spec.excluded.emplace_back(bare());
      }
    } else if (c == '/') {
      regex(spec);
    } else {
      condition_or_word(spec);
    }
  }

  // A quoted string from the opening quote at pos_; \" and \\ are escapes, other backslashes stay.
  std::optional<std::string> quoted() {
    std::size_t const open = pos_++;
    std::string text;
    while (pos_ < query_.size()) {
      char const c = query_[pos_++];
      if (c == '"') return text;
      if (c == '\\' && pos_ < query_.size() && (query_[pos_] == '"' || query_[pos_] == '\\')) {
        text.push_back(query_[pos_++]);
      } else {
        text.push_back(c);
      }
    }
    term_start_ = open;
    error_ = "unterminated quote";
    return std::nullopt;
  }

  std::string_view bare() {
    std::size_t const start = pos_;
    while (pos_ < query_.size() && !is_space(query_[pos_])) ++pos_;
    return query_.substr(start, pos_ - start);
  }

  void regex(FilterSpec& spec) {
    if (!spec.regex.empty()) {
      error_ = "only one /regex/ per query";
      return;
    }
    ++pos_;
    std::string pattern;
    bool closed = false;
    while (pos_ < query_.size()) {
      char const c = query_[pos_++];
      if (c == '/') {
        closed = true;
        break;
      }
      if (c == '\\' && pos_ < query_.size() && query_[pos_] == '/') {
        pattern.push_back(query_[pos_++]);
      } else {
        pattern.push_back(c);
        if (c == '\\' && pos_ < query_.size()) pattern.push_back(query_[pos_++]);
      }
    }
    if (!closed) {
      error_ = "unterminated /regex/";
      return;
    }
    bool ignore_case = false;
    while (pos_ < query_.size() && !is_space(query_[pos_])) {
      char const flag = query_[pos_++];
      if (flag != 'i') {
        error_ = std::string("unknown regex flag '") + flag + "' (only i)";
        return;
      }
      ignore_case = true;
    }
    if (pattern.empty()) {
      error_ = "empty /regex/";
      return;
    }
    QRegularExpression const compiled(QString::fromStdString(pattern), regex_options(ignore_case));
    if (!compiled.isValid()) {
      error_ = "invalid regex: " + compiled.errorString().toStdString() + " at offset " +
               std::to_string(compiled.patternErrorOffset());
      return;
    }
    spec.regex = std::move(pattern);
    spec.regex_ignore_case = ignore_case;
  }

  Op read_op() {
    auto const rest = query_.substr(pos_);
    for (auto const& [text, op] : std::array<std::pair<std::string_view, Op>, 6>{
             {{"!=", Op::kNotEqual}, {">=", Op::kGreaterEqual}, {"<=", Op::kLessEqual}, {"=", Op::kEqual},
              {">", Op::kGreater}, {"<", Op::kLess}}}) {
      if (rest.starts_with(text)) {
        pos_ += text.size();
        return op;
      }
    }
    return Op::kNone;
  }

  static bool is_key_char(char c) {
    return !is_space(c) && c != '=' && c != '!' && c != '<' && c != '>' && c != '"';
  }

  void condition_or_word(FilterSpec& spec) {
    std::size_t const start = pos_;
    while (pos_ < query_.size() && is_key_char(query_[pos_])) ++pos_;
    std::string_view const key = query_.substr(start, pos_ - start);
    Op const op = read_op();
    if (op == Op::kNone) {
      pos_ = start;
      spec.substrings.emplace_back(bare());
      return;
    }
    if (key.empty()) {
      error_ = "missing field name before the operator";
      return;
    }
    std::string value;
    if (pos_ < query_.size() && query_[pos_] == '"') {
      auto text = quoted();
      if (!text) return;
      value = std::move(*text);
    } else {
      value = bare();
      if (value.empty()) {
        error_ = "missing value after '" + std::string(query_.substr(start, pos_ - start)) + "'";
        return;
      }
    }
    if (key == "level") return level(spec, op, value);
    if (key == "time") return time(spec, op, value);
    if (key == "correlation_id" && op == Op::kEqual && spec.correlation_id.empty()) {
      spec.correlation_id = std::move(value);
      return;
    }
    FieldCondition condition{.key = std::string(key), .op = FieldCondition::Op::kEqual, .value = value};
    switch (op) {
      case Op::kEqual: break;
      case Op::kNotEqual: condition.op = FieldCondition::Op::kNotEqual; break;
      default: {
        auto const number = to_number(value);
        if (!number) {
          error_ = "'" + std::string(query_.substr(term_start_, pos_ - term_start_)) + "' needs a number";
          return;
        }
        condition.number = *number;
        condition.op = op == Op::kLess        ? FieldCondition::Op::kLess
                       : op == Op::kLessEqual ? FieldCondition::Op::kLessEqual
                       : op == Op::kGreater   ? FieldCondition::Op::kGreater
                                              : FieldCondition::Op::kGreaterEqual;
      }
    }
    spec.fields.push_back(std::move(condition));
  }

  void level(FilterSpec& spec, Op op, std::string_view value) {
    std::uint8_t named = 0;
    int count = 0;
    Level single = Level::kNone;
    while (!value.empty()) {
      auto const comma = value.find(',');
      auto const name = value.substr(0, comma);
      auto const level = parse_level(name);
      if (!level) {
        error_ =
            "unknown level '" + std::string(name) + "' (trace, debug, info, warning, error, critical, none)";
        return;
      }
      named |= FilterSpec::level_bit(*level);
      single = *level;
      ++count;
      value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
    }
    std::uint8_t mask = 0;
    if (op == Op::kEqual) {
      mask = named;
    } else if (op == Op::kNotEqual) {
      mask = FilterSpec::kAllLevels & ~named;
    } else {
      if (count != 1 || single == Level::kNone) {
        error_ = "a level comparison takes one level other than none";
        return;
      }
      for (int i = 1; i < kLevelCount; ++i) {
        int const rank = static_cast<int>(single);
        bool const in = op == Op::kGreaterEqual ? i >= rank
                        : op == Op::kGreater    ? i > rank
                        : op == Op::kLessEqual  ? i <= rank
                                                : i < rank;
        if (in) mask |= FilterSpec::level_bit(static_cast<Level>(i));
      }
    }
    spec.levels &= mask;
  }

  void time(FilterSpec& spec, Op op, std::string_view value) {
    if (op == Op::kEqual || op == Op::kNotEqual) {
      error_ = "time takes >=, >, <= or <";
      return;
    }
    auto const micros = parse_iso8601_us(value);
    if (!micros) {
      error_ = "invalid time '" + std::string(value) + "' (ISO-8601, e.g. 2026-11-25T10:11:12Z)";
      return;
    }
    if (op == Op::kGreaterEqual || op == Op::kGreater) {
      std::int64_t const from = op == Op::kGreater ? *micros + 1 : *micros;
      spec.from_us = spec.from_us ? std::max(*spec.from_us, from) : from;
    } else {
      std::int64_t const to = op == Op::kLess ? *micros - 1 : *micros;
      spec.to_us = spec.to_us ? std::min(*spec.to_us, to) : to;
    }
  }

  std::string_view query_;
  std::size_t pos_ = 0;
  std::size_t term_start_ = 0;
  std::string error_;
};

bool needs_quotes(std::string_view text) {
  if (text.empty() || text[0] == '-' || text[0] == '/' || text[0] == '"') return true;
  return std::any_of(text.begin(), text.end(), [](char c) {
    return is_space(c) || c == '"' || c == '=' || c == '!' || c == '<' || c == '>';
  });
}

void append_text(std::string& out, std::string_view text) {
  if (!needs_quotes(text)) {
    out += text;
    return;
  }
  out.push_back('"');
  for (char const c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

std::string format_levels(std::uint8_t mask) {
  // A contiguous run up to critical (without none) reads best as level>=x.
  for (int from = 1; from < kLevelCount; ++from) {
    std::uint8_t run = 0;
    for (int i = from; i < kLevelCount; ++i) run |= FilterSpec::level_bit(static_cast<Level>(i));
    if (mask == run) return "level>=" + std::string(level_name(static_cast<Level>(from)));
  }
  if (mask == 0) return "level!=" + std::string("none,trace,debug,info,warning,error,critical");
  std::string names;
  for (int i = 0; i < kLevelCount; ++i) {
    if ((mask & FilterSpec::level_bit(static_cast<Level>(i))) == 0) continue;
    if (!names.empty()) names.push_back(',');
    names += level_name(static_cast<Level>(i));
  }
  return "level=" + names;
}

// ---- Matching helpers

bool value_equals(JsonField const& field, std::string_view expected) {
  if (field.kind != ValueKind::kString || !field.value_escaped) return field.value == expected;
  return unescape_json(field.value) == expected;
}

bool number_in_order(double actual, FieldCondition const& condition) {
  switch (condition.op) {
    case FieldCondition::Op::kLess: return actual < condition.number;
    case FieldCondition::Op::kLessEqual: return actual <= condition.number;
    case FieldCondition::Op::kGreater: return actual > condition.number;
    case FieldCondition::Op::kGreaterEqual: return actual >= condition.number;
    default: return false;
  }
}

enum class KeyField { kNone, kLogger, kEvent, kCorrelationId };

}  // namespace

bool FilterSpec::matches_everything() const {
  return levels == kAllLevels && substrings.empty() && excluded.empty() && regex.empty() && fields.empty() &&
         correlation_id.empty() && !from_us && !to_us;
}

ParsedFilter parse_filter(std::string_view query) { return QueryParser(query).parse(); }

std::string format_filter(FilterSpec const& spec) {
  std::vector<std::string> terms;
  if (spec.levels != FilterSpec::kAllLevels) terms.push_back(format_levels(spec.levels));
  if (spec.from_us) terms.push_back("time>=" + format_iso8601_us(*spec.from_us));
  if (spec.to_us) terms.push_back("time<=" + format_iso8601_us(*spec.to_us));
  if (!spec.correlation_id.empty()) {
    std::string term = "correlation_id=";
    append_text(term, spec.correlation_id);
    terms.push_back(std::move(term));
  }
  for (auto const& condition : spec.fields) {
    static constexpr std::array<std::string_view, 6> kOps{"=", "!=", "<", "<=", ">", ">="};
    std::string term = condition.key;
    term += kOps[static_cast<std::size_t>(condition.op)];
    append_text(term, condition.value);
    terms.push_back(std::move(term));
  }
  for (auto const& text : spec.substrings) {
    std::string term;
    append_text(term, text);
    terms.push_back(std::move(term));
  }
  for (auto const& text : spec.excluded) {
    std::string term = "-";
    append_text(term, text);
    terms.push_back(std::move(term));
  }
  if (!spec.regex.empty()) {
    std::string term = "/";
    for (std::size_t i = 0; i < spec.regex.size(); ++i) {
      char const c = spec.regex[i];
      if (c == '\\' && i + 1 < spec.regex.size()) {
        term.push_back(c);
        term.push_back(spec.regex[++i]);
        continue;
      }
      if (c == '/') term.push_back('\\');
      term.push_back(c);
    }
    term += spec.regex_ignore_case ? "/i" : "/";
    terms.push_back(std::move(term));
  }
  std::string query;
  for (auto const& term : terms) {
    if (!query.empty()) query.push_back(' ');
    query += term;
  }
  return query;
}

// ---- Matcher

struct LineMatcher::Impl {
  struct Condition {
    FieldCondition condition;
    KeyField key_field = KeyField::kNone;
    std::string quoted_key;  // "key", for a quick test that the line may hold the field
  };

  FilterSpec spec;
  std::vector<FoldedSearcher> substrings;
  std::vector<FoldedSearcher> excluded;
  std::vector<Condition> conditions;
  std::optional<QRegularExpression> regex;
  QString subject;  // the line in UTF-16 for the regex, reused
  std::string scratch;
  std::string error;

  bool regex_matches(std::string_view text) {
    // Widening ASCII by hand is much cheaper than a UTF-8 decode; other lines take Qt's decoder.
    subject.resize(static_cast<qsizetype>(text.size()));
    auto* out = subject.data();
    unsigned char high = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      auto const byte = static_cast<unsigned char>(text[i]);
      high |= byte;
      out[i] = QChar(static_cast<char16_t>(byte));
    }
    if (high & 0x80) subject = QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
    return regex->match(QStringView(subject), 0, QRegularExpression::NormalMatch,
                        QRegularExpression::DontCheckSubjectStringMatchOption)
        .hasMatch();
  }

  // The key field's value as written, unescaped when the line holds escapes.
  std::string_view key_field_value(LineView const& line, KeyField field) {
    std::string_view const raw = field == KeyField::kLogger  ? line.logger_raw()
                                 : field == KeyField::kEvent ? line.event_raw()
                                                             : line.correlation_id_raw();
    if (!line.has_escapes() || raw.find('\\') == std::string_view::npos) return raw;
    scratch = unescape_json(raw);
    return scratch;
  }

  bool condition_holds(LineView const& line, Condition const& c) {
    auto const& condition = c.condition;
    bool const ordering =
        condition.op != FieldCondition::Op::kEqual && condition.op != FieldCondition::Op::kNotEqual;
    if (c.key_field != KeyField::kNone) {
      // An empty key field reads as absent.
      auto const value = key_field_value(line, c.key_field);
      if (ordering) {
        auto const number = value.empty() ? std::nullopt : to_number(value);
        return number && number_in_order(*number, condition);
      }
      bool const equal = !value.empty() && value == condition.value;
      return condition.op == FieldCondition::Op::kEqual ? equal : !equal;
    }
    std::optional<JsonField> field;
    auto const raw = line.raw();
    // Without escapes, a field is present only if its quoted key is: most lines are settled here.
    if (line.is_json() && (line.has_escapes() || raw.find(c.quoted_key) != std::string_view::npos))
      field = find_field(raw, condition.key);
    if (ordering) {
      if (!field || (field->kind != ValueKind::kNumber && field->kind != ValueKind::kString)) return false;
      auto const number =
          field->value_escaped ? to_number(unescape_json(field->value)) : to_number(field->value);
      return number && number_in_order(*number, condition);
    }
    bool const equal = field && value_equals(*field, condition.value);
    return condition.op == FieldCondition::Op::kEqual ? equal : !equal;
  }

  bool matches(LineView const& line) {
    if ((spec.levels & FilterSpec::level_bit(line.level())) == 0) return false;
    if (spec.from_us && line.timestamp_us() < *spec.from_us) return false;
    if (spec.to_us && line.timestamp_us() > *spec.to_us) return false;
    if (!spec.correlation_id.empty() &&
        key_field_value(line, KeyField::kCorrelationId) != spec.correlation_id)
      return false;
    for (auto const& condition : conditions)
      if (!condition_holds(line, condition)) return false;
    auto const raw = line.raw();
    for (auto const& searcher : excluded)
      if (searcher.found_in(raw)) return false;
    for (auto const& searcher : substrings)
      if (!searcher.found_in(raw)) return false;
    return !regex || regex_matches(raw);
  }
};

LineMatcher::LineMatcher(FilterSpec spec) : impl_(std::make_unique<Impl>()) {
  auto& impl = *impl_;
  impl.spec = std::move(spec);
  for (auto const& text : impl.spec.substrings) impl.substrings.emplace_back(text);
  for (auto const& text : impl.spec.excluded) impl.excluded.emplace_back(text);
  for (auto const& condition : impl.spec.fields) {
    KeyField const key_field = condition.key == "logger"           ? KeyField::kLogger
                               : condition.key == "event"          ? KeyField::kEvent
                               : condition.key == "correlation_id" ? KeyField::kCorrelationId
                                                                   : KeyField::kNone;
    impl.conditions.push_back({condition, key_field, "\"" + condition.key + "\""});
  }
  if (!impl.spec.regex.empty()) {
    impl.regex.emplace(QString::fromStdString(impl.spec.regex), regex_options(impl.spec.regex_ignore_case));
    if (!impl.regex->isValid()) {
      impl.error = "invalid regex: " + impl.regex->errorString().toStdString();
    } else {
      impl.regex->optimize();  // compile (and JIT) now, not on the first line
    }
  }
}

LineMatcher::~LineMatcher() = default;
LineMatcher::LineMatcher(LineMatcher&&) noexcept = default;
LineMatcher& LineMatcher::operator=(LineMatcher&&) noexcept = default;

bool LineMatcher::valid() const { return impl_->error.empty(); }
std::string const& LineMatcher::error() const { return impl_->error; }
FilterSpec const& LineMatcher::spec() const { return impl_->spec; }
bool LineMatcher::matches(LineView const& line) { return valid() && impl_->matches(line); }

// ---- Bulk filtering

FilterOutcome filter(LogSnapshot const& snapshot, FilterSpec const& spec, std::atomic<bool> const& cancel,
                     FilterSink const& sink, int threads) {
  // Units of work: the snapshot's blocks, cut so that results flow to the sink in small ordered runs.
  constexpr std::size_t kUnitLines = 16384;
  constexpr std::size_t kCancelCheckLines = 2048;
  struct Unit {
    LogSnapshot::Block block;
    std::vector<std::uint64_t> matches;
    bool done = false;
  };
  std::vector<Unit> units;
  for (auto const& block : snapshot.blocks()) {
    for (std::size_t from = 0; from < block.records.size(); from += kUnitLines) {
      Unit unit;
      unit.block = block;
      unit.block.first_seq = block.first_seq + from;
      unit.block.records = block.records.subspan(from, std::min(kUnitLines, block.records.size() - from));
      units.push_back(std::move(unit));
    }
  }

  FilterOutcome outcome;
  outcome.end_seq = snapshot.end_seq();
  std::uint64_t const total = snapshot.size();
  std::atomic<std::size_t> next_unit{0};
  std::mutex mutex;
  std::condition_variable unit_done;

  auto work = [&](LineMatcher& matcher) -> bool {  // false when no unit was left
    if (cancel.load(std::memory_order_relaxed)) return false;
    std::size_t const index = next_unit.fetch_add(1, std::memory_order_relaxed);
    if (index >= units.size()) return false;
    auto const& block = units[index].block;
    std::vector<std::uint64_t> found;
    for (std::size_t i = 0; i < block.records.size(); ++i) {
      if (i % kCancelCheckLines == 0 && cancel.load(std::memory_order_relaxed)) return false;
      auto const line = block.line(i);
      if (matcher.matches(line)) found.push_back(line.seq());
    }
    {
      std::lock_guard lock(mutex);
      units[index].matches = std::move(found);
      units[index].done = true;
    }
    unit_done.notify_all();
    return true;
  };

  int const helpers = std::clamp(threads, 1, 16) - 1;
  std::vector<std::thread> pool;
  for (int i = 0; i < helpers && static_cast<std::size_t>(i + 1) < units.size(); ++i) {
    pool.emplace_back([&] {
      LineMatcher matcher(spec);
      while (work(matcher)) {
      }
      unit_done.notify_all();  // a cancelled helper wakes the delivering thread
    });
  }

  // The calling thread works too, and between its units passes every finished run on, in order.
  LineMatcher matcher(spec);
  std::size_t delivered = 0;
  auto deliver = [&](bool wait) {
    std::unique_lock lock(mutex);
    while (delivered < units.size() && !cancel.load(std::memory_order_relaxed)) {
      if (!units[delivered].done) {
        if (!wait) return;
        unit_done.wait_for(lock, std::chrono::milliseconds(20));
        continue;
      }
      auto matches = std::move(units[delivered].matches);
      outcome.scanned += units[delivered].block.records.size();
      ++delivered;
      lock.unlock();
      outcome.matched += matches.size();
      if (sink) sink(matches, outcome.scanned, total);
      lock.lock();
    }
  };
  while (work(matcher)) deliver(false);
  deliver(true);
  for (auto& thread : pool) thread.join();
  outcome.completed = delivered == units.size();
  return outcome;
}

FilterOutcome filter(LogStore const& store, FilterSpec const& spec, std::atomic<bool> const& cancel,
                     FilterSink const& sink, int threads) {
  return filter(store.snapshot(), spec, cancel, sink, threads);
}

}  // namespace prodmcp::console::logs
