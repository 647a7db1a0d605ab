#include "ratelimit/redis_rate_limiter.hpp"

#include <cstdio>

namespace prodmcp::ratelimit {

namespace {

// KEYS[1]: the bucket. ARGV: tokens per millisecond, capacity. Returns {allowed, tokens left,
// milliseconds until a token is back}. Redis's TIME keeps instances with skewed clocks consistent.
constexpr std::string_view kScript = R"lua(
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate) + 1000)
return {allowed, math.floor(tokens), retry}
)lua";

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.9g", value);
  return buffer;
}

}  // namespace

RedisRateLimiter::RedisRateLimiter(cache::RedisClient& redis, std::string key_prefix)
    : redis_(redis), prefix_(std::move(key_prefix)), script_(kScript) {}

asio::awaitable<std::optional<Decision>> RedisRateLimiter::acquire(std::string const& client_id,
                                                                         double per_minute, double burst) {
  auto const rate = number(per_minute / 60'000.0);
  auto const capacity = number(burst);
  std::vector<std::string> keys{prefix_ + client_id};
  std::vector<std::string> arguments{rate, capacity};
  auto const result = co_await script_.run(redis_, std::move(keys), std::move(arguments));
  if (!result.ok() || result.reply.type != cache::RedisReply::Type::kArray || result.reply.elements.size() != 3)
    co_return std::nullopt;
  Decision decision;
  decision.allowed = result.reply.elements[0].integer == 1;
  decision.remaining = result.reply.elements[1].integer;
  decision.retry_after = std::chrono::milliseconds(result.reply.elements[2].integer);
  co_return decision;
}

}  // namespace prodmcp::ratelimit
