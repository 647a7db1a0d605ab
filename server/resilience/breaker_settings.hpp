#pragma once
// The [resilience] keys as breaker options: every breaker (Redis, each upstream) reads them alike.
#include <chrono>

#include "config/settings.hpp"
#include "resilience/circuit_breaker.hpp"

namespace prodmcp::resilience {

inline BreakerOptions breaker_options(config::ResilienceSettings const& r) {
  BreakerOptions options;
  options.consecutive_failures = static_cast<int>(r.breaker_failures);
  options.window_failures = static_cast<int>(r.breaker_failures);
  options.window = std::chrono::seconds(r.breaker_window_s);
  options.open_for = std::chrono::seconds(r.breaker_open_s);
  options.max_open_multiplier = static_cast<int>(r.breaker_max_open_multiplier);
  options.successes_to_close = static_cast<int>(r.breaker_close_after);
  return options;
}

}  // namespace prodmcp::resilience
