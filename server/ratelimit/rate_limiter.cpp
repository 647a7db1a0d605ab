#include "ratelimit/rate_limiter.hpp"

namespace prodmcp::ratelimit {

RateLimiter::RateLimiter(RedisRateLimiter* shared, resilience::CircuitBreaker* breaker,
                         std::function<void(std::string_view)> on_rejected)
    : shared_(shared), breaker_(breaker), on_rejected_(std::move(on_rejected)), local_(100, 100) {}

void RateLimiter::configure(RateLimitPolicy policy) {
  local_.reconfigure(policy.per_minute, policy.burst);
  policy_.store(std::make_shared<RateLimitPolicy const>(policy));
}

asio::awaitable<Decision> RateLimiter::acquire(std::string bucket, std::string client_id) {
  auto const policy = policy_.load();
  Decision decision;
  if (!policy->enabled) {
    decision.allowed = true;
    co_return decision;
  }
  bool decided = false;
  if (shared_ && breaker_ && breaker_->allow()) {
    if (auto shared = co_await shared_->acquire(bucket, policy->per_minute, policy->burst)) {
      breaker_->record_success();
      decision = *shared;
      decided = true;
    } else {
      breaker_->record_failure();
    }
  }
  if (!decided) decision = local_.acquire(bucket);
  if (!decision.allowed && on_rejected_) on_rejected_(client_id);
  co_return decision;
}

}  // namespace prodmcp::ratelimit
