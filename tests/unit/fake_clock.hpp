#pragma once
// A steady clock that moves only when a test says so.
#include <chrono>

namespace prodmcp::testing {

class FakeClock {
 public:
  std::chrono::steady_clock::time_point now() const { return now_; }
  void advance(std::chrono::steady_clock::duration step) { now_ += step; }
  auto function() {
    return [this] { return now(); };
  }

 private:
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1000)};
};

}  // namespace prodmcp::testing
