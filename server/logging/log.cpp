#include "logging/log.hpp"

#include "logging/recent_lines.hpp"
#include "util/utf8.hpp"

#include <spdlog/details/log_msg.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace prodmcp::logging {

namespace {

constexpr std::array<std::string_view, 7> kLevelNames{"trace", "debug", "info", "warning", "error", "critical", "off"};

// Lines to a file descriptor (stdout/stderr), one write() per batch.
class FdSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  explicit FdSink(int fd) : fd_(fd) {}

 protected:
  void sink_it_(spdlog::details::log_msg const& message) override {
    buffer_.append(message.payload.data(), message.payload.size());
    buffer_.push_back('\n');
  }
  void flush_() override {
    std::string_view rest = buffer_;
    while (!rest.empty()) {
      auto const written = ::write(fd_, rest.data(), rest.size());
      if (written <= 0) break;  // a closed stream loses lines; blocking on it would be worse
      rest.remove_prefix(static_cast<std::size_t>(written));
    }
    buffer_.clear();
  }

 private:
  int const fd_;
  std::string buffer_;
};

// Requests append formatted lines under a short lock; one writer thread takes them in batches
// (every 50 ms, sooner when the queue fills or an error arrives) and hands them to the sinks. No
// per-line wake-up, so a busy server does not pay a context switch for each line.
struct State {
  std::mutex mutex;
  std::condition_variable wake;
  std::string pending;            // whole lines, each ending in '\n': no allocation per line
  std::size_t pending_lines = 0;
  std::size_t capacity = 8192;
  bool running = false;
  bool stopping = false;
  bool flush_requested = false;
  std::uint64_t flushed_batches = 0;
  std::condition_variable flushed;
  std::vector<spdlog::sink_ptr> sinks;
  std::thread writer;
  std::atomic<int> level{static_cast<int>(Level::kInfo)};
  std::atomic<bool> json{true};
  std::atomic<std::uint64_t> dropped{0};
};

State& state() {
  static State instance;
  return instance;
}

// Whether a field's name says its value is a secret: it contains one of the words, in any case.
// This runs for every field of every log line: one lower-case copy on the stack, then plain
// substring searches, no allocation.
bool is_secret_name(std::string_view name) {
  if (name.size() < 5) return false;  // shorter than any of the words
  std::array<char, 128> buffer;
  std::string long_name;  // only for names longer than the buffer
  char* out = buffer.data();
  if (name.size() > buffer.size()) {
    long_name.resize(name.size());
    out = long_name.data();
  }
  std::transform(name.begin(), name.end(), out,
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; });
  std::string_view const lower(out, name.size());
  for (std::string_view const word : {"token", "password", "passwd", "authorization", "secret", "cookie", "api_key",
                                      "apikey"})
    if (lower.find(word) != std::string_view::npos) return true;
  return false;
}

void redact_value(json::value& value) {
  if (auto* object = value.if_object()) {
    redact(*object);
  } else if (auto* array = value.if_array()) {
    for (auto& item : *array) redact_value(item);
  }
}

// `text` within kMaxValueBytes (cut at a UTF-8 character boundary), and the marker saying what was
// cut, empty when nothing was.
std::pair<std::string_view, std::string> within_limit(std::string_view text) {
  if (text.size() <= kMaxValueBytes) return {text, {}};
  std::size_t end = kMaxValueBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) --end;  // not mid-character
  return {text.substr(0, end), "...[cut, " + std::to_string(text.size()) + " bytes]"};
}

// The human format keeps one line per entry: line breaks in values are shown escaped.
void append_plain(std::string& out, std::string_view text) {
  for (char const c : text) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else out.push_back(c);
  }
}

// Appends the ISO-8601 UTC time with microseconds. The date and time change once a second: they
// are formatted then, and only the microseconds per line.
void append_timestamp(std::string& out) {
  auto const now = std::chrono::system_clock::now();
  auto const seconds = std::chrono::system_clock::to_time_t(now);
  auto const micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1'000'000;
  thread_local std::time_t cached_second = -1;
  thread_local char cached[32];
  if (seconds != cached_second) {
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    std::strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &utc);
    cached_second = seconds;
  }
  out.append(cached);
  char fraction[8] = {'.', '0', '0', '0', '0', '0', '0', 'Z'};
  auto value = static_cast<std::int64_t>(micros);
  for (int i = 6; i >= 1; --i, value /= 10) fraction[i] = static_cast<char>('0' + value % 10);
  out.append(fraction, sizeof fraction);
}

// The bytes a JSON string cannot hold as they are (quote, backslash, controls) and those that start
// a check (non-ASCII: valid UTF-8 is kept, anything else replaced).
constexpr auto kNeedsEscape = [] {
  std::array<bool, 256> table{};
  for (int byte = 0; byte < 256; ++byte) table[static_cast<std::size_t>(byte)] = byte < 0x20 || byte >= 0x80;
  table['"'] = table['\\'] = true;
  return table;
}();

inline bool needs_escape(char c) { return kNeedsEscape[static_cast<unsigned char>(c)]; }

void append_escaped_chars(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < text.size();) {
    // Most text is plain ASCII: append it a run at a time.
    auto const plain = std::find_if(text.begin() + static_cast<std::ptrdiff_t>(i), text.end(), needs_escape);
    auto const run = static_cast<std::size_t>(plain - text.begin()) - i;
    out.append(text.substr(i, run));
    i += run;
    if (i == text.size()) break;
    char const c = text[i];
    auto const byte = static_cast<unsigned char>(c);
    std::size_t length = 1;
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (byte < 0x20) {
      out += "\\u00";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    } else if (auto const sequence = util::utf8_sequence_length(text.substr(i)); sequence > 0) {
      out.append(text.substr(i, sequence));
      length = sequence;
    } else {
      out += "\\ufffd";  // paths and header values are a client's raw bytes: the line stays JSON
    }
    i += length;
  }
}

void append_escaped(std::string& out, std::string_view text) {
  auto const [kept, marker] = within_limit(text);
  out.push_back('"');
  append_escaped_chars(out, kept);
  out.append(marker);
  out.push_back('"');
}

void append_plain_cut(std::string& out, std::string_view text) {
  auto const [kept, marker] = within_limit(text);
  append_plain(out, kept);
  out.append(marker);
}

void append_value(std::string& out, Field const& field, bool as_json) {
  if (is_secret_name(field.key)) {
    out += as_json ? "\"[REDACTED]\"" : "[REDACTED]";
    return;
  }
  std::visit(
      [&](auto const& value) {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          if (as_json) append_escaped(out, value);
          else append_plain_cut(out, value);
        } else if constexpr (std::is_same_v<T, bool>) {
          out += value ? "true" : "false";
        } else if constexpr (std::is_same_v<T, double>) {
          char buffer[64];
          auto const [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, 3);
          if (error == std::errc() && std::isfinite(value)) out.append(buffer, end);
          else out += as_json ? "null" : "nan";  // JSON has no NaN or infinity
        } else {
          out += std::to_string(value);
        }
      },
      field.value);
}

void enqueue(State& s, Level level, std::string_view line) {
  std::unique_lock lock(s.mutex);
  if (!s.running) {
    lock.unlock();
    std::cerr << line << '\n';
    return;
  }
  if (s.pending_lines >= s.capacity || s.pending.size() + line.size() >= kMaxQueuedBytes) {
    s.dropped.fetch_add(1, std::memory_order_relaxed);  // the queue is full: drop, never block
    return;
  }
  s.pending.append(line);
  s.pending.push_back('\n');
  ++s.pending_lines;
  if (level >= Level::kError) s.flush_requested = true;
  if (level >= Level::kError || s.pending_lines == s.capacity / 2) s.wake.notify_one();
}

// The envelope (timestamp, level, logger, event) in JSON or the human format; `fields(line)`
// appends the rest, each as ,"key":value (JSON) or  key=value (human).
template <class AppendFields>
std::string_view format(Level level, std::string_view logger, std::string_view event, bool as_json,
                        AppendFields const& append_fields) {
  thread_local std::string line;  // reused: formatting a line allocates nothing once warm
  line.clear();
  if (as_json) {
    line += "{\"timestamp\":\"";
    append_timestamp(line);
    line += "\",\"level\":\"";
    line += level_name(level);
    line += "\",\"logger\":";
    append_escaped(line, logger);
    line += ",\"event\":";
    append_escaped(line, event);
    append_fields(line);
    line.push_back('}');
  } else {
    append_timestamp(line);
    line += " ";
    line += level_name(level);
    line += " [";
    line += logger;
    line += "] ";
    line += event;
    append_fields(line);
  }
  return line;
}

void append_key(std::string& line, std::string_view key, bool as_json) {
  if (as_json) {
    line.push_back(',');
    append_escaped(line, key);
    line.push_back(':');
  } else {
    line.push_back(' ');
    line.append(key);
    line.push_back('=');
  }
}

bool is_envelope_key(std::string_view key) {
  return key == "timestamp" || key == "level" || key == "logger" || key == "event";
}

void write_batch(std::vector<spdlog::sink_ptr> const& sinks, std::string_view batch) {
  recent_lines().append_lines(batch);  // the admin port's /logs, under one lock per batch
  while (!batch.empty()) {
    auto const end = batch.find('\n');
    auto const line = batch.substr(0, end);
    for (auto const& sink : sinks)
      sink->log(spdlog::details::log_msg(spdlog::string_view_t("prodmcp"), spdlog::level::info,
                                         spdlog::string_view_t(line.data(), line.size())));
    batch.remove_prefix(end == std::string_view::npos ? batch.size() : end + 1);
  }
  for (auto const& sink : sinks) sink->flush();
}

void writer_loop(State& s) {
  std::string batch;
  std::unique_lock lock(s.mutex);
  for (;;) {
    s.wake.wait_for(lock, std::chrono::milliseconds(50),
                    [&s] { return s.stopping || s.flush_requested || s.pending_lines >= s.capacity / 2; });
    bool const stop = s.stopping;
    s.flush_requested = false;
    batch.swap(s.pending);
    s.pending_lines = 0;
    auto sinks = s.sinks;
    lock.unlock();
    write_batch(sinks, batch);
    batch.clear();
    lock.lock();
    ++s.flushed_batches;
    s.flushed.notify_all();
    if (stop && s.pending.empty()) return;
  }
}

}  // namespace

std::optional<Level> parse_level(std::string_view name) {
  if (name == "warn") return Level::kWarning;
  for (std::size_t i = 0; i < kLevelNames.size(); ++i)
    if (kLevelNames[i] == name) return static_cast<Level>(i);
  return std::nullopt;
}

std::string_view level_name(Level level) { return kLevelNames[static_cast<std::size_t>(level)]; }

std::string utc_timestamp() {
  std::string text;
  append_timestamp(text);
  return text;
}

void redact(json::object& fields) {
  for (auto& field : fields) {
    if (is_secret_name(field.key()) && !field.value().is_null()) {
      field.value() = "[REDACTED]";
    } else {
      redact_value(field.value());
    }
  }
}

void start(LogOptions const& options) {
  stop();
  auto& s = state();
  std::lock_guard lock(s.mutex);
  s.sinks.clear();
  if (options.stream == "stdout") s.sinks.push_back(std::make_shared<FdSink>(STDOUT_FILENO));
  if (options.stream == "stderr") s.sinks.push_back(std::make_shared<FdSink>(STDERR_FILENO));
  if (!options.file.empty()) {
    auto file = std::make_shared<spdlog::sinks::rotating_file_sink_st>(options.file, options.file_max_bytes,
                                                                       options.file_max_files);
    file->set_pattern("%v");  // lines are complete already
    s.sinks.push_back(std::move(file));
  }
  s.capacity = std::max<std::size_t>(options.queue_size, 16);
  s.pending.reserve(1 << 20);
  s.level = static_cast<int>(options.level);
  s.json = options.json;
  s.running = true;
  s.stopping = false;
  s.writer = std::thread([&s] { writer_loop(s); });
}

void stop() {
  auto& s = state();
  std::unique_lock lock(s.mutex);
  if (!s.running) return;
  s.stopping = true;
  s.wake.notify_all();
  auto writer = std::move(s.writer);
  lock.unlock();
  writer.join();
  lock.lock();
  s.running = false;
  s.stopping = false;
  s.sinks.clear();
}

void flush() {
  auto& s = state();
  std::unique_lock lock(s.mutex);
  if (!s.running) return;
  auto const target = s.flushed_batches + 1;
  s.flush_requested = true;
  s.wake.notify_all();
  s.flushed.wait(lock, [&] { return s.flushed_batches >= target || !s.running; });
}

void set_level(Level level) { state().level = static_cast<int>(level); }

bool enabled(Level level) {
  return level != Level::kOff && static_cast<int>(level) >= state().level.load(std::memory_order_relaxed);
}

std::uint64_t dropped_lines() { return state().dropped.load(std::memory_order_relaxed); }

void write_fields(Level level, std::string_view logger, std::string_view event, std::span<Field const> fields) {
  if (!enabled(level)) return;
  auto& s = state();
  bool const as_json = s.json.load(std::memory_order_relaxed);
  enqueue(s, level, format(level, logger, event, as_json, [&](std::string& line) {
            for (auto const& field : fields) {
              if (is_envelope_key(field.key)) continue;  // a field may not forge the envelope
              append_key(line, field.key, as_json);
              append_value(line, field, as_json);
            }
          }));
}

void write(Level level, std::string_view logger, std::string_view event, json::object fields) {
  if (!enabled(level)) return;
  auto& s = state();
  bool const as_json = s.json.load(std::memory_order_relaxed);
  redact(fields);
  enqueue(s, level, format(level, logger, event, as_json, [&](std::string& line) {
            for (auto const& field : fields) {
              if (is_envelope_key(field.key())) continue;
              append_key(line, field.key(), as_json);
              if (auto const* text = field.value().if_string()) {
                if (as_json) append_escaped(line, *text);
                else append_plain_cut(line, *text);
                continue;
              }
              auto const serialized = json::serialize(field.value());
              if (!as_json) append_plain_cut(line, serialized);
              else if (serialized.size() <= kMaxValueBytes) line += serialized;
              else append_escaped(line, serialized);  // too long: cut, as a string
            }
          }));
}

RecentLines& recent_lines() {
  static RecentLines lines;
  return lines;
}

}  // namespace prodmcp::logging
