#include "resilience/backoff.hpp"

#include <algorithm>
#include <random>

namespace prodmcp::resilience {

UnitRandom default_unit_random() {
  return [] {
    thread_local std::mt19937_64 generator{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
  };
}

std::chrono::nanoseconds backoff_ceiling(RetryPolicy const& policy, int retry) {
  std::chrono::nanoseconds const cap = std::max(policy.max_delay, std::chrono::milliseconds::zero());
  std::chrono::nanoseconds ceiling = std::max(policy.base_delay, std::chrono::milliseconds::zero());
  if (ceiling == std::chrono::nanoseconds::zero()) return ceiling;
  // Doubling stops at the cap, so a large retry number cannot overflow.
  for (int n = 0; n < retry && ceiling < cap; ++n) ceiling *= 2;
  return std::min(ceiling, cap);
}

std::chrono::nanoseconds backoff_delay(RetryPolicy const& policy, int retry, UnitRandom const& random) {
  auto const ceiling = backoff_ceiling(policy, retry);
  double const unit = std::clamp(random(), 0.0, 1.0);
  auto const delay = std::chrono::nanoseconds(static_cast<std::chrono::nanoseconds::rep>(unit * ceiling.count()));
  return std::min(delay, ceiling);
}

bool should_retry(RetryPolicy const& policy, bool idempotent, int attempts_made) {
  return idempotent && attempts_made < policy.max_attempts;
}

}  // namespace prodmcp::resilience
