#include "supervision/restart_policy.hpp"

#include <algorithm>

namespace prodmcp::console {

std::string restart_mode_name(RestartMode mode) {
  switch (mode) {
    case RestartMode::kNever: return "never";
    case RestartMode::kOnFailure: return "on-failure";
    case RestartMode::kAlways: return "always";
  }
  return {};
}

bool parse_restart_mode(std::string_view name, RestartMode& mode) {
  for (auto candidate : {RestartMode::kNever, RestartMode::kOnFailure, RestartMode::kAlways}) {
    if (restart_mode_name(candidate) == name) {
      mode = candidate;
      return true;
    }
  }
  return false;
}

RestartPolicy::Decision RestartPolicy::on_exit(bool failed, TimePoint started, TimePoint exited) {
  Decision decision;
  if (options_.mode == RestartMode::kNever || (options_.mode == RestartMode::kOnFailure && !failed)) {
    decision.reason = failed ? "restart policy is never" : "exited cleanly; restart policy is on-failure";
    return decision;
  }
  recent_exits_.push_back(exited);
  while (!recent_exits_.empty() && exited - recent_exits_.front() > options_.crash_loop_window)
    recent_exits_.pop_front();
  if (static_cast<int>(recent_exits_.size()) >= options_.crash_loop_exits) {
    decision.crash_loop = true;
    decision.reason = "crash loop: " + std::to_string(recent_exits_.size()) + " exits within " +
                      std::to_string(options_.crash_loop_window.count()) + " s; not restarting";
    return decision;
  }
  if (exited - started >= options_.stable_after || next_backoff_.count() == 0)
    next_backoff_ = options_.initial_backoff;
  decision.restart = true;
  decision.delay = next_backoff_;
  next_backoff_ = std::min(next_backoff_ * 2, options_.max_backoff);
  ++restarts_;
  decision.reason = "restart " + std::to_string(restarts_) + " in " + std::to_string(decision.delay.count()) + " ms";
  return decision;
}

void RestartPolicy::reset() {
  recent_exits_.clear();
  next_backoff_ = std::chrono::milliseconds{0};
}

}  // namespace prodmcp::console
