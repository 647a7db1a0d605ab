#pragma once
// Liveness (/health) and readiness (/ready) as DESIGN.md fixes them. Readiness runs named checks
// (redis, mcp_servers, disk_space), each bounded by a timeout, and turns 503 while draining. A
// healthy result is reused for a short interval, so a flood of probes costs one Redis round trip
// (or upstream ping) per interval, not one per probe; while one probe runs a check, the others
// get its last result.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace prodmcp::ops {

namespace asio = boost::asio;

struct CheckResult {
  // "healthy"; "degraded": something optional is down but requests are served; "unhealthy".
  std::string status = "healthy";
  std::string detail;
  double latency_ms = 0;
  // A check of several things (mcp_servers: one per upstream), each on its own, in /ready's "parts".
  struct Part {
    std::string name;
    std::string status = "healthy";
    std::string detail;
    double latency_ms = 0;
  };
  std::vector<Part> parts{};
};

using Check = std::function<asio::awaitable<CheckResult>()>;

class Readiness {
 public:
  void add(std::string name, Check check);  // before serving
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ms_ = timeout.count(); }
  // How long a check's result answers probes before the check runs again (0: every probe).
  void set_cache_interval(std::chrono::milliseconds interval) { cache_ms_ = interval.count(); }
  void set_draining() { draining_ = true; }
  bool draining() const { return draining_; }

  struct Report {
    bool ready = false;
    boost::json::object body;  // {"status","checks",...,"timestamp"}
  };
  asio::awaitable<Report> evaluate() const;

 private:
  struct Entry {
    std::string name;
    Check check;
    // The last result and when it was taken; `refreshing` while a probe runs the check, so
    // concurrent probes reuse the last result instead of each running it.
    mutable std::mutex mutex;
    mutable std::optional<CheckResult> last;
    mutable std::chrono::steady_clock::time_point taken;
    mutable bool refreshing = false;
  };
  asio::awaitable<std::pair<CheckResult, double>> result_of(Entry const& entry) const;

  std::vector<std::unique_ptr<Entry>> checks_;
  std::atomic<std::int64_t> timeout_ms_{2000};
  std::atomic<std::int64_t> cache_ms_{1000};
  std::atomic<bool> draining_{false};
};

boost::json::object health_body();  // {"status":"healthy","timestamp":...}

// Free space on the file system holding `path`; unhealthy below `min_free_bytes`.
CheckResult disk_space(std::string const& path, std::uint64_t min_free_bytes);

}  // namespace prodmcp::ops
