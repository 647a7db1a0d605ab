#include "logging/log.hpp"

#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <mutex>

namespace prodmcp::logging {

namespace {

constexpr std::array<std::string_view, 7> kLevelNames{"trace", "debug", "info", "warning", "error", "critical", "off"};

struct State {
  std::mutex mutex;  // guards start/stop only; writing goes through the logger's own queue
  std::shared_ptr<spdlog::details::thread_pool> pool;
  std::shared_ptr<spdlog::async_logger> logger;
  std::atomic<int> level{static_cast<int>(Level::kInfo)};
  std::atomic<bool> json{true};
};

State& state() {
  static State instance;
  return instance;
}

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::kTrace: return spdlog::level::trace;
    case Level::kDebug: return spdlog::level::debug;
    case Level::kInfo: return spdlog::level::info;
    case Level::kWarning: return spdlog::level::warn;
    case Level::kError: return spdlog::level::err;
    case Level::kCritical: return spdlog::level::critical;
    case Level::kOff: return spdlog::level::off;
  }
  return spdlog::level::info;
}

bool is_secret_name(std::string_view name) {
  std::string lowered(name);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char c) { return std::tolower(c); });
  for (std::string_view const word : {"token", "password", "passwd", "authorization", "secret", "cookie", "api_key",
                                      "apikey"})
    if (lowered.find(word) != std::string::npos) return true;
  return false;
}

void redact_value(json::value& value) {
  if (auto* object = value.if_object()) {
    redact(*object);
  } else if (auto* array = value.if_array()) {
    for (auto& item : *array) redact_value(item);
  }
}

std::string text_value(json::value const& value) {
  if (auto const* text = value.if_string()) return std::string(*text);
  return json::serialize(value);
}

std::string format_line(Level level, std::string_view logger, std::string_view event, json::object fields,
                        bool as_json) {
  redact(fields);
  auto const timestamp = utc_timestamp();
  if (!as_json) {
    std::string line = timestamp + " " + std::string(level_name(level)) + " [" + std::string(logger) + "] " +
                       std::string(event);
    for (auto const& field : fields) line += " " + std::string(field.key()) + "=" + text_value(field.value());
    return line;
  }
  json::object line;
  line.reserve(fields.size() + 4);
  line["timestamp"] = timestamp;
  line["level"] = level_name(level);
  line["logger"] = logger;
  line["event"] = event;
  for (auto& field : fields) {
    // The envelope keys win: a field may not forge them.
    if (!line.contains(field.key())) line[field.key()] = std::move(field.value());
  }
  return json::serialize(line);
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
  auto const now = std::chrono::system_clock::now();
  auto const seconds = std::chrono::system_clock::to_time_t(now);
  auto const micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1'000'000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[96];  // sized for any int the format could print, so GCC can prove no truncation
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<long long>(micros));
  return buffer;
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
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (s.logger) s.logger->flush();
  std::vector<spdlog::sink_ptr> sinks;
  if (options.stream == "stdout") sinks.push_back(std::make_shared<spdlog::sinks::stdout_sink_mt>());
  if (options.stream == "stderr") sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (!options.file.empty())
    sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(options.file, options.file_max_bytes,
                                                                           options.file_max_files));
  auto pool = std::make_shared<spdlog::details::thread_pool>(std::max<std::size_t>(options.queue_size, 16), 1);
  auto logger = std::make_shared<spdlog::async_logger>("prodmcp", sinks.begin(), sinks.end(), pool,
                                                       spdlog::async_overflow_policy::overrun_oldest);
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::trace);  // filtering happens before formatting, in write()
  logger->flush_on(spdlog::level::err);
  s.level = static_cast<int>(options.level);
  s.json = options.json;
  s.logger = std::move(logger);
  s.pool = std::move(pool);
}

void stop() {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (!s.logger) return;
  s.logger->flush();
  s.logger.reset();
  s.pool.reset();  // joins the writer thread once the queue is empty
}

void flush() {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  if (s.logger) s.logger->flush();
}

void set_level(Level level) { state().level = static_cast<int>(level); }

bool enabled(Level level) {
  return level != Level::kOff && static_cast<int>(level) >= state().level.load(std::memory_order_relaxed);
}

std::uint64_t dropped_lines() {
  auto& s = state();
  std::lock_guard lock(s.mutex);
  return s.pool ? s.pool->overrun_counter() : 0;
}

void write(Level level, std::string_view logger, std::string_view event, json::object fields) {
  if (!enabled(level)) return;
  auto& s = state();
  auto const line = format_line(level, logger, event, std::move(fields), s.json.load(std::memory_order_relaxed));
  // A copy of the pointer keeps the logger alive while another thread restarts logging.
  std::shared_ptr<spdlog::async_logger> sink;
  {
    std::lock_guard lock(s.mutex);
    sink = s.logger;
  }
  if (sink) {
    sink->log(to_spdlog(level), spdlog::string_view_t(line.data(), line.size()));
  } else {
    std::cerr << line << '\n';
  }
}

}  // namespace prodmcp::logging
