#pragma once
// A per-second budget for a kind of log line that strangers can cause at will (requests refused
// before the engine: 401, 404, 413, 429, ...), so a flood cannot push real lines out of the log,
// its queue and the /logs buffer. Lines over the budget are counted, and the next line written
// says how many were left out.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

namespace prodmcp::logging {

class LogBudget {
 public:
  using Clock = std::chrono::steady_clock;
  explicit LogBudget(std::uint32_t lines_per_second) : per_second_(lines_per_second) {}

  // nullopt: leave this line out. Otherwise write it, with the number of lines left out since the
  // last one written (when not 0).
  std::optional<std::uint64_t> admit(Clock::time_point now = Clock::now());

 private:
  std::uint32_t const per_second_;
  std::mutex mutex_;
  Clock::time_point second_{};
  std::uint32_t written_ = 0;     // in the current second
  std::uint64_t left_out_ = 0;    // since the last line written
};

}  // namespace prodmcp::logging
