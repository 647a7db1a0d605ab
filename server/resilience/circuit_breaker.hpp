#pragma once
// A circuit breaker per dependency: closed (calls pass), open (calls fail fast), half-open (a few
// probe calls decide). Defaults follow the course's production breaker. Thread-safe; the clock is
// injected so tests can move time.
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

namespace prodmcp::resilience {

using Clock = std::function<std::chrono::steady_clock::time_point()>;

struct BreakerOptions {
  int consecutive_failures = 5;               // open after this many failures in a row
  int window_failures = 5;                    // ... or this many within the window
  std::chrono::seconds window{300};
  std::chrono::seconds open_for{60};          // first wait before half-open
  int max_open_multiplier = 32;               // each failed probe doubles the wait, up to this factor
  int successes_to_close = 3;                 // half-open: successes that close it again
  std::chrono::milliseconds call_timeout{10'000};  // for callers: how long one call may take
};

class CircuitBreaker {
 public:
  enum class State { kClosed = 0, kOpen = 1, kHalfOpen = 2 };

  CircuitBreaker(std::string name, BreakerOptions options = {}, Clock clock = std::chrono::steady_clock::now);

  // May a call go ahead now? An open breaker turns half-open once its wait is over; half-open lets
  // through only as many probe calls as it still needs successes. Record the outcome of every
  // call allowed.
  bool allow();
  void record_success();
  void record_failure();
  // The dependency is back (a restarted upstream answered initialize): an open breaker turns
  // half-open now instead of at the end of its wait, so probe calls decide at once. Else nothing.
  void probe_now();

  State state() const;
  std::string const& name() const { return name_; }
  BreakerOptions const& options() const { return options_; }
  // Told about every change of state (for logs and metrics), outside the breaker's lock.
  void on_change(std::function<void(State from, State to)> listener);
  // Told about every call: the state it met and its outcome ("success", "failure", "rejected").
  void on_call(std::function<void(State state, std::string_view outcome)> listener);

 private:
  void transition(State to, std::unique_lock<std::mutex>& lock);
  void report_call(std::string_view outcome, std::unique_lock<std::mutex>& lock);

  std::string const name_;
  BreakerOptions const options_;
  Clock const clock_;
  mutable std::mutex mutex_;
  State state_ = State::kClosed;
  int consecutive_ = 0;
  std::deque<std::chrono::steady_clock::time_point> recent_failures_;
  int half_open_successes_ = 0;
  int probes_in_flight_ = 0;  // half-open: calls let through whose outcome is not in yet
  int open_multiplier_ = 1;
  std::chrono::steady_clock::time_point open_until_{};
  std::function<void(State, State)> listener_;
  std::function<void(State, std::string_view)> call_listener_;
};

std::string_view state_name(CircuitBreaker::State state);

}  // namespace prodmcp::resilience
