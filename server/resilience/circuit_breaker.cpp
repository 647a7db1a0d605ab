#include "resilience/circuit_breaker.hpp"

#include <algorithm>

namespace prodmcp::resilience {

CircuitBreaker::CircuitBreaker(std::string name, BreakerOptions options, Clock clock)
    : name_(std::move(name)), options_(options), clock_(std::move(clock)) {}

bool CircuitBreaker::allow() {
  std::unique_lock lock(mutex_);
  if (state_ == State::kOpen && clock_() >= open_until_) transition(State::kHalfOpen, lock);
  bool const rejected = state_ == State::kOpen ||
                        (state_ == State::kHalfOpen &&
                         probes_in_flight_ >= options_.successes_to_close - half_open_successes_);
  if (state_ == State::kHalfOpen && !rejected) ++probes_in_flight_;
  if (rejected && call_listener_) {
    auto listener = call_listener_;
    auto const state = state_;
    lock.unlock();
    listener(state, "rejected");
  }
  return !rejected;
}

void CircuitBreaker::record_success() {
  std::unique_lock lock(mutex_);
  report_call("success", lock);
  consecutive_ = 0;
  if (state_ == State::kHalfOpen) probes_in_flight_ = std::max(0, probes_in_flight_ - 1);
  if (state_ == State::kHalfOpen && ++half_open_successes_ >= options_.successes_to_close) {
    open_multiplier_ = 1;
    recent_failures_.clear();
    transition(State::kClosed, lock);
  }
}

void CircuitBreaker::record_failure() {
  std::unique_lock lock(mutex_);
  report_call("failure", lock);
  auto const now = clock_();
  if (state_ == State::kHalfOpen) {
    // The dependency is still down: wait twice as long next time, within the cap.
    open_multiplier_ = std::min(open_multiplier_ * 2, options_.max_open_multiplier);
    open_until_ = now + options_.open_for * open_multiplier_;
    transition(State::kOpen, lock);
    return;
  }
  if (state_ == State::kOpen) return;
  ++consecutive_;
  recent_failures_.push_back(now);
  while (!recent_failures_.empty() && now - recent_failures_.front() > options_.window) recent_failures_.pop_front();
  if (consecutive_ >= options_.consecutive_failures ||
      static_cast<int>(recent_failures_.size()) >= options_.window_failures) {
    open_until_ = now + options_.open_for * open_multiplier_;
    transition(State::kOpen, lock);
  }
}

void CircuitBreaker::probe_now() {
  std::unique_lock lock(mutex_);
  if (state_ == State::kOpen) transition(State::kHalfOpen, lock);
}

CircuitBreaker::State CircuitBreaker::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

void CircuitBreaker::on_call(std::function<void(State, std::string_view)> listener) {
  std::lock_guard lock(mutex_);
  call_listener_ = std::move(listener);
}

void CircuitBreaker::report_call(std::string_view outcome, std::unique_lock<std::mutex>& lock) {
  if (!call_listener_) return;
  auto listener = call_listener_;
  auto const state = state_;
  lock.unlock();
  listener(state, outcome);
  lock.lock();
}

void CircuitBreaker::on_change(std::function<void(State, State)> listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

void CircuitBreaker::transition(State to, std::unique_lock<std::mutex>& lock) {
  auto const from = state_;
  if (from == to) return;
  state_ = to;
  consecutive_ = 0;
  half_open_successes_ = 0;
  probes_in_flight_ = 0;
  if (to == State::kClosed) recent_failures_.clear();
  auto listener = listener_;
  lock.unlock();
  if (listener) listener(from, to);
  lock.lock();
}

std::string_view state_name(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::kClosed: return "closed";
    case CircuitBreaker::State::kOpen: return "open";
    case CircuitBreaker::State::kHalfOpen: return "half_open";
  }
  return "closed";
}

}  // namespace prodmcp::resilience
