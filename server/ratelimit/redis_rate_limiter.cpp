#include "ratelimit/redis_rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace prodmcp::ratelimit {

namespace {

// KEYS[1]: the bucket. ARGV: tokens per millisecond, capacity, tokens wanted. Takes up to that
// many (at least one when any is there) and returns {tokens granted, tokens left, milliseconds
// until a token is back}. Redis's TIME keeps instances with skewed clocks consistent.
constexpr std::string_view kScript = R"lua(
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local want = math.max(1, math.floor(tonumber(ARGV[3]) or 1))
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
local granted = 0
local retry = 0
if tokens >= 1 then
  granted = math.min(want, math.floor(tokens))
  tokens = tokens - granted
else
  retry = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate) + 1000)
return {granted, math.floor(tokens), retry}
)lua";

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.9g", value);
  return buffer;
}

}  // namespace

RedisRateLimiter::RedisRateLimiter(cache::RedisClient& redis, std::string key_prefix)
    : redis_(redis), prefix_(std::move(key_prefix)), script_(kScript) {}

std::int64_t RedisRateLimiter::max_lease(double burst) {
  return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor(burst / 10)), 1, kMaxLease);
}

std::size_t RedisRateLimiter::held_leases() const {
  std::lock_guard lock(mutex_);
  return leases_.size();
}

std::optional<Decision> RedisRateLimiter::decide_locally(std::string const& client_id, double burst,
                                                         std::int64_t& want) {
  auto const now = Clock::now();
  std::lock_guard lock(mutex_);
  auto found = leases_.find(client_id);
  if (found == leases_.end()) {
    if (leases_.size() >= kMaxTrackedClients)
      std::erase_if(leases_, [now](auto const& entry) {
        return now >= entry.second.expires && now >= entry.second.refused_until;
      });
    want = 1;
    if (leases_.size() < kMaxTrackedClients) leases_.emplace(client_id, Lease{});
    return std::nullopt;
  }
  auto& lease = found->second;
  if (now < lease.refused_until) {
    Decision refused;
    refused.retry_after = std::max(std::chrono::milliseconds(1),
                                   std::chrono::ceil<std::chrono::milliseconds>(lease.refused_until - now));
    return refused;
  }
  if (now < lease.expires && lease.tokens > 0) {
    --lease.tokens;
    Decision allowed;
    allowed.allowed = true;
    allowed.remaining = lease.remaining;
    return allowed;
  }
  // The lease ran out: in time (the client wants more) or by lapsing with tokens unspent (less).
  if (lease.tokens > 0) lease.size = std::max<std::int64_t>(1, lease.size / 2);
  else if (now < lease.expires) lease.size *= 2;
  lease.size = std::min(lease.size, max_lease(burst));
  lease.tokens = 0;
  want = lease.size;
  return std::nullopt;
}

void RedisRateLimiter::record(std::string const& client_id, Decision const& decision, std::int64_t granted) {
  auto const now = Clock::now();
  std::lock_guard lock(mutex_);
  auto found = leases_.find(client_id);
  if (found == leases_.end()) return;  // not tracked (too many clients): the next request asks Redis
  auto& lease = found->second;
  lease.remaining = decision.remaining;
  if (decision.allowed) {
    lease.tokens += granted - 1;  // one is this request's
    lease.expires = now + kLeaseTime;
  } else {
    lease.refused_until = now + decision.retry_after;
  }
}

asio::awaitable<std::optional<Decision>> RedisRateLimiter::acquire(std::string const& client_id, double per_minute,
                                                                   double burst) {
  std::int64_t want = 1;
  if (auto decided = decide_locally(client_id, burst, want)) co_return decided;
  std::vector<std::string> keys{prefix_ + client_id};
  std::vector<std::string> arguments{number(per_minute / 60'000.0), number(burst), std::to_string(want)};
  auto const result = co_await script_.run(redis_, std::move(keys), std::move(arguments));
  if (!result.ok() || result.reply.type != cache::RedisReply::Type::kArray || result.reply.elements.size() != 3)
    co_return std::nullopt;
  auto const granted = result.reply.elements[0].integer;
  Decision decision;
  decision.allowed = granted >= 1;
  decision.remaining = result.reply.elements[1].integer;
  decision.retry_after = std::chrono::milliseconds(result.reply.elements[2].integer);
  record(client_id, decision, std::min(granted, want));
  co_return decision;
}

}  // namespace prodmcp::ratelimit
