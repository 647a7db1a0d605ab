#pragma once
// The console's log lines: a bounded in-memory store for a million lines and more.
//
// Lines are kept as written (the raw bytes, in chunked arenas) next to a fixed 32-byte record per
// line with what the views and filters need without parsing again: the timestamp, the level and
// where logger, event and correlation_id sit inside the raw text. Everything else is parsed on
// demand with the scanner below. Eviction drops the oldest lines; a line keeps its sequence number
// for life, so views refer to lines by sequence number, not by position.
//
// Threads: one writer (append, evict, clear) and any number of readers (line, snapshot, the
// counters). Appended lines never change; a chunk is freed only when the last reader holding it
// lets go. Readers take a short mutex to copy the chunk list, never while reading lines, so a long
// scan never blocks the writer.
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace prodmcp::console::logs {

// kNone: a line with no (known) level, such as a line that is not JSON.
enum class Level : std::uint8_t { kNone, kTrace, kDebug, kInfo, kWarning, kError, kCritical };
inline constexpr int kLevelCount = 7;

std::string_view level_name(Level level);  // "none", "trace", ... "critical"
// Case-insensitive; also "warn" (warning) and "fatal" (critical). kNone only for "none".
std::optional<Level> parse_level(std::string_view name);

// ---- The line format, scanned without building a JSON tree.

enum class ValueKind : std::uint8_t { kString, kNumber, kBool, kNull, kObject, kArray };

struct JsonField {
  std::string_view key;    // as written, without the quotes; escapes not resolved
  std::string_view value;  // as written; for a string the text between the quotes
  ValueKind kind = ValueKind::kNull;
  bool key_escaped = false;    // the key holds a backslash escape
  bool value_escaped = false;  // a string value holds a backslash escape
};

// Walks the top-level fields of one JSON object. Nested objects and arrays are skipped with their
// brackets and strings balanced, not validated further: enough to tell a log line from other text.
class TopLevelScanner {
 public:
  explicit TopLevelScanner(std::string_view text) : text_(text), pos_(0) {}
  // The next field; false at the end of the object or at the first error (ok() tells which).
  bool next(JsonField& field);
  // The whole text was one object and every field has been read.
  bool ok() const { return state_ == State::kDone; }

 private:
  enum class State { kStart, kFields, kDone, kError };
  bool fail() {
    state_ = State::kError;
    return false;
  }
  bool finish();
  std::string_view text_;
  std::size_t pos_;
  State state_ = State::kStart;
};

// A top-level field of a JSON object line; nullopt if absent or the line is not a JSON object.
std::optional<JsonField> find_field(std::string_view line, std::string_view key);
// Resolves JSON escapes (\n, \", \u00e9, surrogate pairs) to UTF-8; invalid escapes stay as written.
std::string unescape_json(std::string_view escaped);
void append_unescaped(std::string& out, std::string_view escaped);

// ISO-8601 to microseconds since the epoch: 2026-11-25T10:11:12.123456Z, a space for the T, any
// number of fraction digits, Z, +hh:mm, +hhmm or no zone (UTC).
std::optional<std::int64_t> parse_iso8601_us(std::string_view text);
std::string format_iso8601_us(std::int64_t micros);  // 2026-11-25T10:11:12.123456Z

// ---- The store.

// Where a key field's value sits inside the raw line (for a string, between the quotes).
struct TextSpan {
  std::uint16_t offset = 0;
  std::uint16_t length = 0;
};

struct LineRecord {
  enum Flags : std::uint8_t {
    kJson = 1,               // a JSON object; else shown raw
    kHasTimestamp = 2,       // timestamp_us comes from the line, else from the receive time
    kEscapes = 4,            // the line holds a backslash: text searches must not trust the raw bytes
    kSpansIncomplete = 8,    // a key field lies beyond 64 KiB: its span is empty, scan on demand
    kTruncated = 16,         // longer than LogStore::kMaxLineBytes, cut
  };
  std::uint32_t offset = 0;  // of the raw text in its chunk
  std::uint32_t length = 0;
  std::int64_t timestamp_us = 0;
  Level level = Level::kNone;
  std::uint8_t flags = 0;
  TextSpan logger;
  TextSpan event;
  TextSpan correlation_id;
};
static_assert(sizeof(LineRecord) == 32);

// Reads a record and its raw text at ingest: the key fields and, failing that, a raw line.
LineRecord index_line(std::string_view line, std::int64_t receive_time_us);

// One line, valid while what it came from (a snapshot, a LineRef, or the store for its writer
// thread until the next eviction) holds the line.
class LineView {
 public:
  LineView() = default;
  LineView(LineRecord const* record, char const* text, std::uint64_t seq)
      : record_(record), text_(text), seq_(seq) {}

  std::uint64_t seq() const { return seq_; }
  LineRecord const& record() const { return *record_; }
  std::string_view raw() const { return {text_, record_->length}; }
  std::int64_t timestamp_us() const { return record_->timestamp_us; }
  Level level() const { return record_->level; }
  bool is_json() const { return (record_->flags & LineRecord::kJson) != 0; }
  bool has_timestamp() const { return (record_->flags & LineRecord::kHasTimestamp) != 0; }
  bool has_escapes() const { return (record_->flags & LineRecord::kEscapes) != 0; }

  // The key fields as written (escapes unresolved); empty when absent.
  std::string_view logger_raw() const { return key_field(record_->logger, "logger"); }
  std::string_view event_raw() const { return key_field(record_->event, "event"); }
  std::string_view correlation_id_raw() const { return key_field(record_->correlation_id, "correlation_id"); }
  // The same, escapes resolved.
  std::string logger() const { return unescape_json(logger_raw()); }
  std::string event() const { return unescape_json(event_raw()); }
  std::string correlation_id() const { return unescape_json(correlation_id_raw()); }

 private:
  std::string_view key_field(TextSpan span, std::string_view key) const;

  LineRecord const* record_ = nullptr;
  char const* text_ = nullptr;
  std::uint64_t seq_ = 0;
};

// A line that keeps its chunk alive: safe on any thread, whatever the writer evicts meanwhile.
class LineRef {
 public:
  LineRef(std::shared_ptr<void const> pin, LineView view) : pin_(std::move(pin)), view_(view) {}
  LineView const& operator*() const { return view_; }
  LineView const* operator->() const { return &view_; }

 private:
  std::shared_ptr<void const> pin_;
  LineView view_;
};

// The lines of [first_seq, end_seq) at one moment, for a scan on another thread: what is appended
// later is not in it, what is evicted later stays readable until the snapshot goes.
class LogSnapshot {
 public:
  // A run of consecutive lines in one chunk.
  struct Block {
    std::uint64_t first_seq = 0;
    std::span<LineRecord const> records;
    char const* bytes = nullptr;
    LineView line(std::size_t i) const { return {&records[i], bytes + records[i].offset, first_seq + i}; }
  };

  std::uint64_t first_seq() const { return first_seq_; }
  std::uint64_t end_seq() const { return end_seq_; }
  std::size_t size() const { return static_cast<std::size_t>(end_seq_ - first_seq_); }
  std::span<Block const> blocks() const { return blocks_; }
  std::optional<LineView> line(std::uint64_t seq) const;

 private:
  friend class LogStore;
  std::vector<std::shared_ptr<void const>> pins_;
  std::vector<Block> blocks_;
  std::uint64_t first_seq_ = 0;
  std::uint64_t end_seq_ = 0;
};

class LogStore {
 public:
  static constexpr std::size_t kMaxLineBytes = 4u << 20;

  struct Options {
    std::size_t max_lines = 1'000'000;
    // Room for a million typical server lines (~250 bytes of text and the 32-byte record).
    std::size_t max_bytes = std::size_t{512} << 20;
    // Bytes of text per chunk: eviction by bytes frees a chunk at a time.
    std::size_t chunk_bytes = std::size_t{1} << 20;
    // Evict inside append. Off: the caller evicts with evict_to(eviction_target()) when it suits it
    // (a model announces the removal first); memory then exceeds the caps by what came in between.
    bool auto_evict = true;
  };

  LogStore() : LogStore(Options{}) {}
  explicit LogStore(Options options);
  ~LogStore();
  LogStore(LogStore const&) = delete;
  LogStore& operator=(LogStore const&) = delete;

  // Trailing "\r\n" is dropped. Returns the line's sequence number.
  std::uint64_t append(std::string_view line, std::int64_t receive_time_us);
  void append_batch(std::span<std::string_view const> lines, std::int64_t receive_time_us);

  std::size_t size() const;
  std::size_t memory_bytes() const { return memory_bytes_.load(std::memory_order_relaxed); }
  std::uint64_t evicted() const { return evicted_.load(std::memory_order_relaxed); }
  std::uint64_t first_seq() const { return first_seq_.load(std::memory_order_acquire); }
  std::uint64_t end_seq() const { return end_seq_.load(std::memory_order_acquire); }
  Options const& options() const { return options_; }

  std::optional<LineRef> line(std::uint64_t seq) const;
  LogSnapshot snapshot() const;

  // The first sequence number that stays once the caps are met (first_seq() when nothing must go).
  std::uint64_t eviction_target() const;
  // Evicts the lines before `seq`; returns how many went.
  std::uint64_t evict_to(std::uint64_t seq);
  void clear() { evict_to(end_seq()); }

 private:
  struct Chunk;
  Chunk& writable_chunk(std::size_t line_bytes);

  Options options_;
  mutable std::mutex chunks_mutex_;  // guards the chunk list only, never held while reading lines
  std::deque<std::shared_ptr<Chunk>> chunks_;
  std::atomic<std::uint64_t> first_seq_{0};
  std::atomic<std::uint64_t> end_seq_{0};
  std::atomic<std::size_t> memory_bytes_{0};
  std::atomic<std::uint64_t> evicted_{0};
  std::uint32_t next_record_capacity_;  // adapted to the line length seen
};

}  // namespace prodmcp::console::logs
