#pragma once
// The token bucket kept in Redis, so every instance sharing that Redis enforces one limit per
// client. The bucket lives in one Lua script (atomic on the Redis server, Redis's own clock).
//
// A busy client does not cost a Redis round trip per request: an instance takes tokens in a lease
// (1 at first, doubling while the client uses them up within a second, at most a tenth of the
// burst and 64) and spends them locally; unused ones lapse after a second, and the next lease
// halves. A refusal is kept until Redis said a token is back. So the global budget is never
// exceeded; what one instance may hold of a client's budget, unused, is its lease.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "cache/redis_client.hpp"
#include "cache/redis_script.hpp"
#include "ratelimit/token_bucket.hpp"

namespace prodmcp::ratelimit {

namespace asio = boost::asio;

class RedisRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::int64_t kMaxLease = 64;
  static constexpr auto kLeaseTime = std::chrono::seconds(1);

  RedisRateLimiter(cache::RedisClient& redis, std::string key_prefix = "prodmcp:ratelimit:");

  // Takes one token from `client_id`'s bucket (`per_minute` refill, `burst` capacity). Nothing
  // when Redis cannot answer (and no lease or refusal held here decides): the caller decides
  // locally instead.
  asio::awaitable<std::optional<Decision>> acquire(std::string const& client_id, double per_minute, double burst);

  // The largest lease for a bucket of `burst` tokens.
  static std::int64_t max_lease(double burst);
  std::size_t held_leases() const;

 private:
  struct Lease {
    std::int64_t tokens = 0;      // taken from Redis, not yet spent
    std::int64_t size = 1;        // what the next lease asks for
    std::int64_t remaining = 0;   // the bucket's tokens when Redis last answered
    Clock::time_point expires{};  // when unspent tokens lapse
    Clock::time_point refused_until{};
  };
  static constexpr std::size_t kMaxTrackedClients = 10'000;

  // Decides from what is held here, or says how many tokens to ask Redis for.
  std::optional<Decision> decide_locally(std::string const& client_id, double burst, std::int64_t& want);
  void record(std::string const& client_id, Decision const& decision, std::int64_t granted);

  cache::RedisClient& redis_;
  std::string prefix_;
  cache::RedisScript script_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Lease> leases_;
};

}  // namespace prodmcp::ratelimit
