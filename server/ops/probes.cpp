#include "ops/probes.hpp"

#include <sys/statvfs.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>

#include "logging/log.hpp"

namespace prodmcp::ops {

namespace json = boost::json;

namespace {

std::string human_bytes(double bytes) {
  char text[32];
  char const* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  return text;
}

// `age_ms`: how old a reused result is (0: this probe ran the check).
json::object to_json(CheckResult const& result, double age_ms) {
  json::object object{
      {"status", result.status}, {"detail", result.detail}, {"latency_ms", result.latency_ms}, {"age_ms", age_ms}};
  if (!result.parts.empty()) {
    json::object parts;
    for (auto const& part : result.parts)
      parts[part.name] = json::object{{"status", part.status}, {"detail", part.detail}, {"latency_ms", part.latency_ms}};
    object["parts"] = std::move(parts);
  }
  return object;
}

CheckResult timed_out(std::int64_t timeout_ms) {
  CheckResult result;
  result.status = "unhealthy";
  result.detail = "no answer within " + std::to_string(timeout_ms) + " ms";
  result.latency_ms = static_cast<double>(timeout_ms);
  return result;
}

}  // namespace

void Readiness::add(std::string name, Check check) {
  auto entry = std::make_unique<Entry>();
  entry->name = std::move(name);
  entry->check = std::move(check);
  checks_.push_back(std::move(entry));
}

asio::awaitable<std::pair<CheckResult, double>> Readiness::result_of(Entry const& entry) const {
  using namespace asio::experimental::awaitable_operators;
  using Clock = std::chrono::steady_clock;
  auto const cache = std::chrono::milliseconds(cache_ms_.load());
  {
    std::lock_guard lock(entry.mutex);
    auto const age = Clock::now() - entry.taken;
    // Only a healthy result is reused: one that is not is checked again, so recovery shows at once.
    bool const fresh = age < cache && entry.last && entry.last->status == "healthy";
    if (entry.last && (fresh || entry.refreshing))
      co_return std::pair{*entry.last, std::chrono::duration<double, std::milli>(age).count()};
    entry.refreshing = true;
  }
  auto const timeout_ms = timeout_ms_.load();
  auto const started = Clock::now();
  CheckResult result;
  try {
    asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(timeout_ms));
    auto outcome = co_await (entry.check() || timer.async_wait(asio::use_awaitable));
    result = outcome.index() == 0 ? std::get<0>(std::move(outcome)) : timed_out(timeout_ms);
    if (outcome.index() == 0 && result.latency_ms == 0)
      result.latency_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  } catch (...) {
    std::lock_guard lock(entry.mutex);
    entry.refreshing = false;
    throw;
  }
  std::lock_guard lock(entry.mutex);
  entry.last = result;
  entry.taken = Clock::now();
  entry.refreshing = false;
  co_return std::pair{std::move(result), 0.0};
}

asio::awaitable<Readiness::Report> Readiness::evaluate() const {
  json::object checks;
  bool ready = !draining_;
  for (auto const& entry : checks_) {
    auto const [result, age_ms] = co_await result_of(*entry);
    if (result.status == "unhealthy") ready = false;
    checks[entry->name] = to_json(result, age_ms);
  }
  Report report;
  report.ready = ready;
  report.body["status"] = ready ? "ready" : "not_ready";
  report.body["checks"] = std::move(checks);
  if (draining_) report.body["shutting_down"] = true;
  report.body["timestamp"] = logging::utc_timestamp();
  co_return report;
}

json::object health_body() { return json::object{{"status", "healthy"}, {"timestamp", logging::utc_timestamp()}}; }

CheckResult disk_space(std::string const& path, std::uint64_t min_free_bytes) {
  auto const started = std::chrono::steady_clock::now();
  CheckResult result;
  struct statvfs info {};
  if (::statvfs(path.c_str(), &info) != 0) {
    result.status = "unhealthy";
    result.detail = "cannot read the file system of " + path + " (health.disk_path)";
  } else {
    auto const free_bytes = static_cast<double>(info.f_bavail) * static_cast<double>(info.f_frsize);
    auto const total = static_cast<double>(info.f_blocks) * static_cast<double>(info.f_frsize);
    result.detail = human_bytes(free_bytes) + " free of " + human_bytes(total) + " at " + path + " (minimum " +
                    human_bytes(static_cast<double>(min_free_bytes)) + ")";
    if (free_bytes < static_cast<double>(min_free_bytes)) result.status = "unhealthy";
  }
  result.latency_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace prodmcp::ops
