#pragma once
// Retry policy and exponential backoff with full jitter: the wait before retry n is uniform in
// [0, min(max_delay, base_delay * 2^n)), which spreads retries of many clients instead of synchronizing them.
#include <chrono>
#include <functional>

namespace prodmcp::resilience {

struct RetryPolicy {
  int max_attempts = 3;  // every attempt counts, the first one included
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds max_delay{2000};
};

// A uniform random number in [0, 1); a parameter so tests can make jitter deterministic.
using UnitRandom = std::function<double()>;

// A thread-safe source backed by a per-thread generator seeded from std::random_device.
UnitRandom default_unit_random();

// min(max_delay, base_delay * 2^retry), where retry 0 is the wait after the first failed attempt.
std::chrono::nanoseconds backoff_ceiling(RetryPolicy const& policy, int retry);

// A uniform draw in [0, backoff_ceiling(policy, retry)).
std::chrono::nanoseconds backoff_delay(RetryPolicy const& policy, int retry, UnitRandom const& random);

// Whether another attempt may follow `attempts_made` failed ones: only idempotent work is retried, since a
// failure may have happened after the work took effect.
bool should_retry(RetryPolicy const& policy, bool idempotent, int attempts_made);

}  // namespace prodmcp::resilience
