#pragma once
// The token bucket kept in Redis, so every instance sharing that Redis enforces one limit per
// client. The bucket lives in one Lua script (atomic on the Redis server, Redis's own clock).
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "cache/redis_client.hpp"
#include "cache/redis_script.hpp"
#include "ratelimit/token_bucket.hpp"

namespace prodmcp::ratelimit {

namespace asio = boost::asio;

class RedisRateLimiter {
 public:
  RedisRateLimiter(cache::RedisClient& redis, std::string key_prefix = "prodmcp:ratelimit:");

  // Takes one token from `client_id`'s bucket (`per_minute` refill, `burst` capacity). Nothing
  // when Redis cannot answer: the caller decides locally instead.
  asio::awaitable<std::optional<Decision>> acquire(std::string const& client_id, double per_minute,
                                                         double burst);

 private:
  cache::RedisClient& redis_;
  std::string prefix_;
  cache::RedisScript script_;
};

}  // namespace prodmcp::ratelimit
