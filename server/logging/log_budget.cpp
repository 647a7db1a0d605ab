#include "logging/log_budget.hpp"

namespace prodmcp::logging {

std::optional<std::uint64_t> LogBudget::admit(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (now - second_ >= std::chrono::seconds(1)) {
    second_ = now;
    written_ = 0;
  }
  if (written_ >= per_second_) {
    ++left_out_;
    return std::nullopt;
  }
  ++written_;
  auto const left_out = left_out_;
  left_out_ = 0;
  return left_out;
}

}  // namespace prodmcp::logging
