#pragma once
// Structured logs: one JSON object per line (timestamp, level, logger, event, then fields), or a
// human format. Lines are formatted on the caller's thread and written by a background thread
// through a bounded queue in batches: a full queue drops new lines (counted) instead of blocking.
// spdlog stays inside log.cpp.
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <string>
#include <string_view>

namespace prodmcp::logging {

namespace json = boost::json;

enum class Level { kTrace, kDebug, kInfo, kWarning, kError, kCritical, kOff };

std::optional<Level> parse_level(std::string_view name);  // "trace" ... "off"
std::string_view level_name(Level level);

struct LogOptions {
  Level level = Level::kInfo;
  bool json = true;             // else the human format
  std::string stream = "stderr";  // "stderr", "stdout" or "none"
  std::string file;             // rotating file; empty: none
  std::size_t file_max_bytes = 10 << 20;
  std::size_t file_max_files = 5;
  std::size_t queue_size = 8192;
};

// Until start() runs, lines go synchronously to stderr as JSON.
void start(LogOptions const& options);
void stop();  // flushes and joins the writer
void flush();
void set_level(Level level);
bool enabled(Level level);
std::uint64_t dropped_lines();

// A field value longer than this (a string, or any other value once serialized) is cut there and
// ends with "...[cut, N bytes]": a client-chosen method, tool name or path cannot make a huge line.
inline constexpr std::size_t kMaxValueBytes = 2048;
// The queue of lines waiting for the writer holds at most this many bytes besides its line count.
inline constexpr std::size_t kMaxQueuedBytes = 8 << 20;

void write(Level level, std::string_view logger, std::string_view event, json::object fields = {});

// The per-request fast path: fields written straight into the line, no JSON tree. Values are
// escaped; fields whose names say they hold secrets are redacted as in write().
struct Field {
  std::string_view key;
  std::variant<std::string_view, std::int64_t, double, bool> value;
};
void write_fields(Level level, std::string_view logger, std::string_view event, std::span<Field const> fields);

// Replaces the values of fields whose names say they hold secrets (token, password, authorization,
// secret, cookie, api_key), at any depth.
void redact(json::object& fields);

// Every line written (after start()), newest last, for the admin port's /logs stream.
class RecentLines;
RecentLines& recent_lines();

// ISO-8601 UTC with microseconds, e.g. 2026-11-25T07:00:00.123456Z.
std::string utc_timestamp();

}  // namespace prodmcp::logging
