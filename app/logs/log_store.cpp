#include "logs/log_store.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

namespace prodmcp::console::logs {

namespace {

constexpr std::array<std::string_view, kLevelCount> kLevelNames{"none",    "trace", "debug",   "info",
                                                                "warning", "error", "critical"};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

// From the position of an opening quote: the position of the closing one, or npos. memchr does the
// walking; a quote preceded by an odd run of backslashes is escaped.
std::size_t string_end(std::string_view text, std::size_t open, bool& escaped) {
  char const* const data = text.data();
  std::size_t from = open + 1;
  for (;;) {
    auto const* quote = static_cast<char const*>(std::memchr(data + from, '"', text.size() - from));
    if (quote == nullptr) return std::string_view::npos;
    auto const at = static_cast<std::size_t>(quote - data);
    std::size_t backslashes = 0;
    while (at - backslashes > open + 1 && data[at - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) {
      escaped = escaped || std::memchr(data + open + 1, '\\', at - open - 1) != nullptr;
      return at;
    }
    from = at + 1;
  }
}

// From an opening bracket: one past its matching bracket, or npos.
std::size_t nested_end(std::string_view text, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < text.size(); ++i) {
    char const c = text[i];
    if (c == '"') {
      bool ignored = false;
      i = string_end(text, i, ignored);
      if (i == std::string_view::npos) return i;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

bool is_number_char(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Four hex digits at text[at...]; -1 if not.
long hex4(std::string_view text, std::size_t at) {
  if (at + 4 > text.size()) return -1;
  long value = 0;
  for (std::size_t i = at; i < at + 4; ++i) {
    int const digit = hex_value(text[i]);
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

void append_utf8(std::string& out, unsigned long code) {
  if (code < 0x80) {
    out.push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code >> 6)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else if (code < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  }
}

// Fixed-width decimal at text[at...]; -1 if not digits.
int digits(std::string_view text, std::size_t at, std::size_t count) {
  if (at + count > text.size()) return -1;
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  std::int64_t const era = (year >= 0 ? year : year - 399) / 400;
  auto const year_of_era = static_cast<unsigned>(year - era * 400);
  unsigned const day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  unsigned const day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

void civil_from_days(std::int64_t days, std::int64_t& year, unsigned& month, unsigned& day) {
  days += 719468;
  std::int64_t const era = (days >= 0 ? days : days - 146096) / 146097;
  auto const day_of_era = static_cast<unsigned>(days - era * 146097);
  unsigned const year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  unsigned const day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  unsigned const mp = (5 * day_of_year + 2) / 153;
  day = day_of_year - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2);
}

bool key_is(JsonField const& field, std::string_view key) {
  if (!field.key_escaped) return field.key == key;
  return unescape_json(field.key) == key;
}

// The span of a key field's value inside the line, if it fits the record's 16-bit offsets.
bool span_of(std::string_view line, std::string_view value, TextSpan& span) {
  auto const offset = static_cast<std::size_t>(value.data() - line.data());
  if (offset + value.size() > 0xFFFF) return false;
  span.offset = static_cast<std::uint16_t>(offset);
  span.length = static_cast<std::uint16_t>(value.size());
  return true;
}

}  // namespace

std::string_view level_name(Level level) { return kLevelNames[static_cast<std::size_t>(level)]; }

std::optional<Level> parse_level(std::string_view name) {
  for (std::size_t i = 0; i < kLevelNames.size(); ++i)
    if (equals_ignore_case(name, kLevelNames[i])) return static_cast<Level>(i);
  if (equals_ignore_case(name, "warn")) return Level::kWarning;
  if (equals_ignore_case(name, "fatal")) return Level::kCritical;
  return std::nullopt;
}

// ---- Scanner

bool TopLevelScanner::finish() {
  ++pos_;  // the closing brace
  while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
  state_ = pos_ == text_.size() ? State::kDone : State::kError;
  return false;
}

bool TopLevelScanner::next(JsonField& field) {
  auto const size = text_.size();
  auto skip_space = [&] {
    while (pos_ < size && is_space(text_[pos_])) ++pos_;
  };
  if (state_ == State::kStart) {
    skip_space();
    if (pos_ == size || text_[pos_] != '{') return fail();
    ++pos_;
    skip_space();
    if (pos_ < size && text_[pos_] == '}') return finish();
    state_ = State::kFields;
  } else if (state_ == State::kFields) {
    skip_space();
    if (pos_ == size) return fail();
    if (text_[pos_] == '}') return finish();
    if (text_[pos_] != ',') return fail();
    ++pos_;
    skip_space();
  } else {
    return false;
  }

  if (pos_ == size || text_[pos_] != '"') return fail();
  field.key_escaped = false;
  auto const key_end = string_end(text_, pos_, field.key_escaped);
  if (key_end == std::string_view::npos) return fail();
  field.key = text_.substr(pos_ + 1, key_end - pos_ - 1);
  pos_ = key_end + 1;
  skip_space();
  if (pos_ == size || text_[pos_] != ':') return fail();
  ++pos_;
  skip_space();
  if (pos_ == size) return fail();

  field.value_escaped = false;
  char const c = text_[pos_];
  if (c == '"') {
    auto const end = string_end(text_, pos_, field.value_escaped);
    if (end == std::string_view::npos) return fail();
    field.kind = ValueKind::kString;
    field.value = text_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
  } else if (c == '{' || c == '[') {
    auto const end = nested_end(text_, pos_);
    if (end == std::string_view::npos) return fail();
    field.kind = c == '{' ? ValueKind::kObject : ValueKind::kArray;
    field.value = text_.substr(pos_, end - pos_);
    pos_ = end;
  } else if (c == '-' || (c >= '0' && c <= '9')) {
    auto const start = pos_;
    while (pos_ < size && is_number_char(text_[pos_])) ++pos_;
    field.kind = ValueKind::kNumber;
    field.value = text_.substr(start, pos_ - start);
    if (field.value == "-") return fail();
  } else {
    auto const rest = text_.substr(pos_);
    for (std::string_view literal : {"true", "false", "null"}) {
      if (rest.starts_with(literal)) {
        field.kind = literal == "null" ? ValueKind::kNull : ValueKind::kBool;
        field.value = rest.substr(0, literal.size());
        pos_ += literal.size();
        return true;
      }
    }
    return fail();
  }
  return true;
}

std::optional<JsonField> find_field(std::string_view line, std::string_view key) {
  TopLevelScanner scanner(line);
  JsonField field;
  while (scanner.next(field))
    if (key_is(field, key)) return field;
  return std::nullopt;
}

void append_unescaped(std::string& out, std::string_view escaped) {
  std::size_t i = 0;
  while (i < escaped.size()) {
    auto const slash = escaped.find('\\', i);
    if (slash == std::string_view::npos || slash + 1 == escaped.size()) {
      out.append(escaped.substr(i));
      return;
    }
    out.append(escaped.substr(i, slash - i));
    char const c = escaped[slash + 1];
    i = slash + 2;
    switch (c) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '/': out.push_back('/'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        long code = hex4(escaped, i);
        if (code < 0) {
          out.append(escaped.substr(slash, 2));
          break;
        }
        i += 4;
        if (code >= 0xD800 && code <= 0xDBFF && i + 6 <= escaped.size() && escaped[i] == '\\' &&
            escaped[i + 1] == 'u') {
          long const low = hex4(escaped, i + 2);
          if (low >= 0xDC00 && low <= 0xDFFF) {
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          }
        }
        // A lone surrogate cannot be UTF-8: the replacement character stands in.
        if (code >= 0xD800 && code <= 0xDFFF) code = 0xFFFD;
        append_utf8(out, static_cast<unsigned long>(code));
        break;
      }
      default: out.append(escaped.substr(slash, 2));
    }
  }
}

std::string unescape_json(std::string_view escaped) {
  std::string out;
  out.reserve(escaped.size());
  append_unescaped(out, escaped);
  return out;
}

std::optional<std::int64_t> parse_iso8601_us(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || text[13] != ':' || text[16] != ':')
    return std::nullopt;
  int const year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
  int const hour = digits(text, 11, 2), minute = digits(text, 14, 2), second = digits(text, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59 || second < 0 || second > 60)
    return std::nullopt;
  std::size_t pos = 19;
  std::int64_t micros = 0;
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    std::size_t count = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (count < 6) micros = micros * 10 + (text[pos] - '0');
      ++count;
      ++pos;
    }
    if (count == 0) return std::nullopt;
    for (std::size_t i = count; i < 6; ++i) micros *= 10;
  }
  std::int64_t offset_seconds = 0;
  if (pos < text.size()) {
    char const zone = text[pos];
    if (zone == 'Z' || zone == 'z') {
      ++pos;
    } else if (zone == '+' || zone == '-') {
      int const hours = digits(text, pos + 1, 2);
      std::size_t minutes_at = pos + 3;
      if (minutes_at < text.size() && text[minutes_at] == ':') ++minutes_at;
      int const minutes = digits(text, minutes_at, 2);
      if (hours < 0 || minutes < 0) return std::nullopt;
      offset_seconds = (hours * 3600 + minutes * 60) * (zone == '-' ? -1 : 1);
      pos = minutes_at + 2;
    }
  }
  if (pos != text.size()) return std::nullopt;
  std::int64_t const days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  std::int64_t const seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  return seconds * 1'000'000 + micros;
}

std::string format_iso8601_us(std::int64_t micros) {
  std::int64_t seconds = micros / 1'000'000;
  std::int64_t fraction = micros % 1'000'000;
  if (fraction < 0) {
    fraction += 1'000'000;
    --seconds;
  }
  std::int64_t days = seconds / 86400;
  std::int64_t in_day = seconds % 86400;
  if (in_day < 0) {
    in_day += 86400;
    --days;
  }
  std::int64_t year = 0;
  unsigned month = 0, day = 0;
  civil_from_days(days, year, month, day);
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ",
                static_cast<long long>(year), month, day, static_cast<long long>(in_day / 3600),
                static_cast<long long>(in_day / 60 % 60), static_cast<long long>(in_day % 60),
                static_cast<long long>(fraction));
  return buffer;
}

// ---- Records

LineRecord index_line(std::string_view line, std::int64_t receive_time_us) {
  LineRecord record;
  record.length = static_cast<std::uint32_t>(line.size());
  record.timestamp_us = receive_time_us;
  if (std::memchr(line.data(), '\\', line.size()) != nullptr) record.flags |= LineRecord::kEscapes;

  TopLevelScanner scanner(line);
  JsonField field;
  LineRecord json = record;
  bool incomplete = false;
  while (scanner.next(field)) {
    // The writer puts the envelope first; the checks are ordered by how often a key is seen.
    if (field.key_escaped) {
      // Rare: an escaped key that may still name a key field.
      auto const key = unescape_json(field.key);
      field.key = std::string_view{};
      for (std::string_view known : {"timestamp", "level", "logger", "event", "correlation_id"})
        if (key == known) field.key = known;
    }
    if (field.key.empty()) continue;
    bool const is_string = field.kind == ValueKind::kString;
    switch (field.key[0]) {
      case 't':
        if (field.key == "timestamp" && is_string && !field.value_escaped) {
          if (auto const time = parse_iso8601_us(field.value)) {
            json.timestamp_us = *time;
            json.flags |= LineRecord::kHasTimestamp;
          }
        }
        break;
      case 'l':
        if (field.key == "level" && is_string) {
          auto const level =
              field.value_escaped ? parse_level(unescape_json(field.value)) : parse_level(field.value);
          json.level = level.value_or(Level::kNone);
        } else if (field.key == "logger" && is_string) {
          incomplete |= !span_of(line, field.value, json.logger);
        }
        break;
      case 'e':
        if (field.key == "event" && is_string) incomplete |= !span_of(line, field.value, json.event);
        break;
      case 'c':
        if (field.key == "correlation_id" && (is_string || field.kind == ValueKind::kNumber))
          incomplete |= !span_of(line, field.value, json.correlation_id);
        break;
      default: break;
    }
  }
  if (!scanner.ok()) return record;
  json.flags |= LineRecord::kJson;
  if (incomplete) json.flags |= LineRecord::kSpansIncomplete;
  return json;
}

std::string_view LineView::key_field(TextSpan span, std::string_view key) const {
  if (span.length != 0 || (record_->flags & LineRecord::kSpansIncomplete) == 0)
    return raw().substr(span.offset, span.length);
  auto const field = find_field(raw(), key);
  return field && (field->kind == ValueKind::kString || field->kind == ValueKind::kNumber)
             ? field->value
             : std::string_view{};
}

// ---- Chunks

// Text and records of consecutive lines. Both arrays are allocated once and never move, so a reader
// may use lines below the published end while the writer fills the rest.
struct LogStore::Chunk {
  std::uint64_t first_seq = 0;
  std::unique_ptr<char[]> bytes;
  std::unique_ptr<LineRecord[]> records;
  std::uint32_t byte_capacity = 0;
  std::uint32_t record_capacity = 0;
  std::uint32_t bytes_used = 0;  // writer only
  std::uint32_t count = 0;       // writer only

  std::size_t memory() const {
    return sizeof(Chunk) + byte_capacity + std::size_t{record_capacity} * sizeof(LineRecord);
  }
};

LogStore::LogStore(Options options) : options_(options) {
  options_.chunk_bytes = std::clamp<std::size_t>(options_.chunk_bytes, 1024, std::size_t{64} << 20);
  // Until lines have been seen, assume server lines of about 256 bytes.
  next_record_capacity_ =
      static_cast<std::uint32_t>(std::clamp<std::size_t>(options_.chunk_bytes / 256, 64, 65536));
}

LogStore::~LogStore() = default;

LogStore::Chunk& LogStore::writable_chunk(std::size_t line_bytes) {
  if (!chunks_.empty()) {
    auto& last = *chunks_.back();
    if (last.count < last.record_capacity && last.bytes_used + line_bytes <= last.byte_capacity) return last;
    // Records sized to the line length seen, so neither array of the next chunk sits half empty.
    if (last.count > 0 && last.record_capacity > 1) {
      std::size_t const average = std::max<std::size_t>(last.bytes_used / last.count, 16);
      next_record_capacity_ = static_cast<std::uint32_t>(
          std::clamp<std::size_t>(options_.chunk_bytes / average * 9 / 8, 64, 65536));
    }
  }
  auto chunk = std::make_shared<Chunk>();
  chunk->first_seq = end_seq_.load(std::memory_order_relaxed);
  bool const oversize = line_bytes > options_.chunk_bytes;
  chunk->byte_capacity = static_cast<std::uint32_t>(oversize ? line_bytes : options_.chunk_bytes);
  chunk->record_capacity = oversize ? 1 : next_record_capacity_;
  chunk->bytes = std::make_unique_for_overwrite<char[]>(chunk->byte_capacity);
  chunk->records = std::make_unique_for_overwrite<LineRecord[]>(chunk->record_capacity);
  memory_bytes_.fetch_add(chunk->memory(), std::memory_order_relaxed);
  std::lock_guard lock(chunks_mutex_);
  chunks_.push_back(std::move(chunk));
  return *chunks_.back();
}

std::uint64_t LogStore::append(std::string_view line, std::int64_t receive_time_us) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  bool const truncated = line.size() > kMaxLineBytes;
  if (truncated) line = line.substr(0, kMaxLineBytes);

  LineRecord record = index_line(line, receive_time_us);
  if (truncated) record.flags |= LineRecord::kTruncated;
  Chunk& chunk = writable_chunk(line.size());
  if (!line.empty()) std::memcpy(chunk.bytes.get() + chunk.bytes_used, line.data(), line.size());
  record.offset = chunk.bytes_used;
  chunk.records[chunk.count] = record;
  chunk.bytes_used += static_cast<std::uint32_t>(line.size());
  ++chunk.count;
  auto const seq = end_seq_.load(std::memory_order_relaxed);
  end_seq_.store(seq + 1, std::memory_order_release);  // publishes the record and its text
  if (options_.auto_evict) evict_to(eviction_target());
  return seq;
}

void LogStore::append_batch(std::span<std::string_view const> lines, std::int64_t receive_time_us) {
  for (auto const line : lines) append(line, receive_time_us);
}

std::size_t LogStore::size() const {
  // end first: first never passes end, so the difference cannot go negative.
  auto const end = end_seq_.load(std::memory_order_acquire);
  return static_cast<std::size_t>(end - std::min(end, first_seq_.load(std::memory_order_acquire)));
}

std::uint64_t LogStore::eviction_target() const {
  auto const first = first_seq_.load(std::memory_order_relaxed);
  auto const end = end_seq_.load(std::memory_order_relaxed);
  std::uint64_t target = first;
  if (end - first > options_.max_lines) target = end - options_.max_lines;
  std::size_t memory = memory_bytes_.load(std::memory_order_relaxed);
  std::lock_guard lock(chunks_mutex_);
  // Bytes come back a whole chunk at a time; the chunk being written stays.
  for (std::size_t i = 0; i + 1 < chunks_.size() && memory > options_.max_bytes; ++i) {
    memory -= chunks_[i]->memory();
    target = std::max(target, chunks_[i + 1]->first_seq);
  }
  return target;
}

std::uint64_t LogStore::evict_to(std::uint64_t seq) {
  auto const first = first_seq_.load(std::memory_order_relaxed);
  auto const end = end_seq_.load(std::memory_order_relaxed);
  seq = std::min(seq, end);
  if (seq <= first) return 0;
  std::vector<std::shared_ptr<Chunk>> released;  // freed outside the lock
  {
    std::lock_guard lock(chunks_mutex_);
    first_seq_.store(seq, std::memory_order_release);
    while (!chunks_.empty()) {
      bool const whole = chunks_.size() > 1 ? chunks_[1]->first_seq <= seq : seq == end;
      if (!whole) break;
      memory_bytes_.fetch_sub(chunks_.front()->memory(), std::memory_order_relaxed);
      released.push_back(std::move(chunks_.front()));
      chunks_.pop_front();
    }
  }
  evicted_.fetch_add(seq - first, std::memory_order_relaxed);
  return seq - first;
}

std::optional<LineRef> LogStore::line(std::uint64_t seq) const {
  std::shared_ptr<Chunk> chunk;
  {
    std::lock_guard lock(chunks_mutex_);
    if (seq < first_seq_.load(std::memory_order_acquire) || seq >= end_seq_.load(std::memory_order_acquire))
      return std::nullopt;
    auto const it = std::upper_bound(chunks_.begin(), chunks_.end(), seq,
                                     [](std::uint64_t s, auto const& c) { return s < c->first_seq; });
    chunk = *std::prev(it);
  }
  auto const& record = chunk->records[seq - chunk->first_seq];
  LineView const view(&record, chunk->bytes.get() + record.offset, seq);
  return LineRef(std::move(chunk), view);
}

LogSnapshot LogStore::snapshot() const {
  LogSnapshot snapshot;
  std::lock_guard lock(chunks_mutex_);
  snapshot.first_seq_ = first_seq_.load(std::memory_order_acquire);
  snapshot.end_seq_ = end_seq_.load(std::memory_order_acquire);
  snapshot.pins_.reserve(chunks_.size());
  snapshot.blocks_.reserve(chunks_.size());
  for (std::size_t i = 0; i < chunks_.size(); ++i) {
    auto const& chunk = chunks_[i];
    std::uint64_t const chunk_end = i + 1 < chunks_.size() ? chunks_[i + 1]->first_seq : snapshot.end_seq_;
    std::uint64_t const from = std::max(chunk->first_seq, snapshot.first_seq_);
    if (from >= chunk_end) continue;
    LogSnapshot::Block block;
    block.first_seq = from;
    block.records = std::span<LineRecord const>(chunk->records.get() + (from - chunk->first_seq),
                                                static_cast<std::size_t>(chunk_end - from));
    block.bytes = chunk->bytes.get();
    snapshot.blocks_.push_back(block);
    snapshot.pins_.push_back(chunk);
  }
  return snapshot;
}

std::optional<LineView> LogSnapshot::line(std::uint64_t seq) const {
  if (seq < first_seq_ || seq >= end_seq_) return std::nullopt;
  auto const it = std::upper_bound(blocks_.begin(), blocks_.end(), seq,
                                   [](std::uint64_t s, Block const& b) { return s < b.first_seq; });
  auto const& block = *std::prev(it);
  return block.line(static_cast<std::size_t>(seq - block.first_seq));
}

}  // namespace prodmcp::console::logs
