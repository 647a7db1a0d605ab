#pragma once
// The rate limit the MCP endpoint applies per client: one shared budget in Redis when it is
// configured and healthy, this process's own buckets otherwise (and while Redis is down).
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>

#include "ratelimit/redis_rate_limiter.hpp"
#include "ratelimit/token_bucket.hpp"
#include "resilience/circuit_breaker.hpp"

namespace prodmcp::ratelimit {

struct RateLimitPolicy {
  bool enabled = true;
  double per_minute = 100;
  double burst = 100;
};

class RateLimiter {
 public:
  // `shared` and `breaker` may be null (no Redis). `on_rejected(client_id)` feeds metrics.
  RateLimiter(RedisRateLimiter* shared, resilience::CircuitBreaker* breaker,
              std::function<void(std::string_view)> on_rejected = {});

  void configure(RateLimitPolicy policy);  // any time (config reload)
  // One token from `bucket` (a client id, or an address for clients without auth); a refusal is
  // counted against `client_id`, a bounded metrics label.
  asio::awaitable<Decision> acquire(std::string bucket, std::string client_id);

 private:
  RedisRateLimiter* shared_;
  resilience::CircuitBreaker* breaker_;
  std::function<void(std::string_view)> on_rejected_;
  std::atomic<std::shared_ptr<RateLimitPolicy const>> policy_{std::make_shared<RateLimitPolicy const>()};
  TokenBuckets local_;
};

}  // namespace prodmcp::ratelimit
