#pragma once
// Which log lines to show: a filter spec, the query syntax that writes one, a compiled matcher and a
// bulk scan of a store on two threads.
//
// Query syntax: terms separated by spaces; a line must satisfy every term.
//   level>=warning          level by rank (also >, <=, <); trace < debug < info < warning < error
//                           < critical; warn and fatal are accepted for warning and critical
//   level=error,critical    one of these levels (level!=debug: any other); `none` is a line without
//                           a level, such as one that is not JSON; rank comparisons never match it
//   key=value               a top-level field equals value as written: status=200 matches 200 and
//                           "200", ok=true matches true; strings are compared with escapes resolved
//   key!=value              the field is absent or has another value
//   key>n key>=n key<n key<=n   the field holds a number (or a string of one) compared with n
//   key="a b"               a quoted value; \" and \\ escape inside quotes
//   correlation_id=abc      every line of one request
//   time>=2026-11-25T10:00:00Z  time<2026-11-25T10:05:00.5Z   time range (ISO-8601, also > and <=)
//   timeout  "two words"    the raw line contains the text, ASCII case-insensitive
//   -word  -"two words"     the raw line does not contain the text
//   /err.*timeout/  /x/i    a regular expression (PCRE) found in the raw line, i: ignore case; at most one
// A term like a=b is a field test; to search for the text "a=b", quote it.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "logs/log_store.hpp"

namespace prodmcp::console::logs {

struct FieldCondition {
  enum class Op : std::uint8_t { kEqual, kNotEqual, kLess, kLessEqual, kGreater, kGreaterEqual };
  std::string key;
  Op op = Op::kEqual;
  std::string value;  // as the user wrote it
  double number = 0;  // the value, for the ordering operators
  bool operator==(FieldCondition const&) const = default;
};

struct FilterSpec {
  static constexpr std::uint8_t kAllLevels = (1u << kLevelCount) - 1;
  static constexpr std::uint8_t level_bit(Level level) {
    return static_cast<std::uint8_t>(1u << static_cast<int>(level));
  }

  std::uint8_t levels = kAllLevels;     // a bit per Level (level_bit)
  std::vector<std::string> substrings;  // all must occur
  std::vector<std::string> excluded;    // none may occur
  std::string regex;                    // empty: none
  bool regex_ignore_case = false;
  std::vector<FieldCondition> fields;
  std::string correlation_id;           // empty: any
  std::optional<std::int64_t> from_us;  // inclusive bounds, microseconds since the epoch
  std::optional<std::int64_t> to_us;

  bool matches_everything() const;
  bool operator==(FilterSpec const&) const = default;
};

struct ParsedFilter {
  FilterSpec spec;
  std::string error;              // empty when the query is valid
  std::size_t error_offset = 0;   // byte offset of the faulty term in the query
  bool ok() const { return error.empty(); }
};

ParsedFilter parse_filter(std::string_view query);
// A query that parses back to `spec`: how the view shows a filter set by a pivot.
std::string format_filter(FilterSpec const& spec);

// A compiled spec. Not thread-safe (it reuses a buffer for the regex): one per thread.
class LineMatcher {
 public:
  explicit LineMatcher(FilterSpec spec);
  ~LineMatcher();
  LineMatcher(LineMatcher&&) noexcept;
  LineMatcher& operator=(LineMatcher&&) noexcept;

  // False when the regex does not compile (error() says why); an invalid matcher matches nothing.
  bool valid() const;
  std::string const& error() const;
  FilterSpec const& spec() const;
  bool matches(LineView const& line);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct FilterOutcome {
  bool completed = false;     // false: cancelled
  std::uint64_t scanned = 0;  // lines looked at
  std::uint64_t matched = 0;
  std::uint64_t end_seq = 0;  // the snapshot's end: later lines were not looked at
};

// Receives matching sequence numbers in increasing order, a run at a time, with the progress so far.
using FilterSink =
    std::function<void(std::span<std::uint64_t const> matches, std::uint64_t scanned, std::uint64_t total)>;

// Scans the snapshot on `threads` threads (the caller's and threads - 1 more). The sink runs on the
// calling thread only. Setting `cancel` stops the scan within a few thousand lines.
FilterOutcome filter(LogSnapshot const& snapshot, FilterSpec const& spec, std::atomic<bool> const& cancel,
                     FilterSink const& sink, int threads = 2);
FilterOutcome filter(LogStore const& store, FilterSpec const& spec, std::atomic<bool> const& cancel,
                     FilterSink const& sink, int threads = 2);

}  // namespace prodmcp::console::logs
