#pragma once
// When to restart a supervised process after it exits: the policy (never / on-failure / always),
// exponential backoff that resets after a stable run, and crash-loop detection (N exits within a
// window stop the restarts, with the reason). Pure logic: the caller passes the times.
#include <chrono>
#include <deque>
#include <string>

namespace prodmcp::console {

enum class RestartMode { kNever, kOnFailure, kAlways };

std::string restart_mode_name(RestartMode mode);
// "never", "on-failure", "always"; false if the name is none of them.
bool parse_restart_mode(std::string_view name, RestartMode& mode);

struct RestartOptions {
  RestartMode mode = RestartMode::kOnFailure;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{30'000};
  int crash_loop_exits = 5;                   // this many unrequested exits ...
  std::chrono::seconds crash_loop_window{60};  // ... within this window is a crash loop
  std::chrono::seconds stable_after{30};       // a run this long resets the backoff
};

class RestartPolicy {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  struct Decision {
    bool restart = false;
    std::chrono::milliseconds delay{0};
    bool crash_loop = false;
    std::string reason;  // why it restarts or why not, for the events timeline
  };

  explicit RestartPolicy(RestartOptions options = {}) : options_(options) {}

  // The process exited on its own (not asked to stop). `failed`: non-zero code or killed.
  Decision on_exit(bool failed, TimePoint started, TimePoint exited);
  // An operator started or restarted by hand: forget earlier exits and backoff.
  void reset();

  RestartOptions const& options() const { return options_; }
  void set_options(RestartOptions options) { options_ = options; }
  int restarts() const { return restarts_; }

 private:
  RestartOptions options_;
  std::deque<TimePoint> recent_exits_;
  std::chrono::milliseconds next_backoff_{0};
  int restarts_ = 0;
};

}  // namespace prodmcp::console
