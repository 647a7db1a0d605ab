#pragma once
// Liveness (/health) and readiness (/ready) as DESIGN.md fixes them. Readiness runs named checks
// (redis, mcp_servers, disk_space), each bounded by a timeout, and turns 503 while draining.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace prodmcp::ops {

namespace asio = boost::asio;

struct CheckResult {
  // "healthy"; "degraded": something optional is down but requests are served; "unhealthy".
  std::string status = "healthy";
  std::string detail;
  double latency_ms = 0;
};

using Check = std::function<asio::awaitable<CheckResult>()>;

class Readiness {
 public:
  void add(std::string name, Check check);  // before serving
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ms_ = timeout.count(); }
  void set_draining() { draining_ = true; }
  bool draining() const { return draining_; }

  struct Report {
    bool ready = false;
    boost::json::object body;  // {"status","checks",...,"timestamp"}
  };
  asio::awaitable<Report> evaluate() const;

 private:
  std::vector<std::pair<std::string, Check>> checks_;
  std::atomic<std::int64_t> timeout_ms_{2000};
  std::atomic<bool> draining_{false};
};

boost::json::object health_body();  // {"status":"healthy","timestamp":...}

// Free space on the file system holding `path`; unhealthy below `min_free_bytes`.
CheckResult disk_space(std::string const& path, std::uint64_t min_free_bytes);

}  // namespace prodmcp::ops
