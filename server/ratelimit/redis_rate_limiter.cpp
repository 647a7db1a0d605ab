#include "ratelimit/redis_rate_limiter.hpp"

#include <openssl/sha.h>

#include <array>

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

std::string sha1_hex(std::string_view text) {
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<unsigned char const*>(text.data()), text.size(), digest.data());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (auto const byte : digest) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 0xf];
  }
  return hex;
}

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.9g", value);
  return buffer;
}

}  // namespace

RedisRateLimiter::RedisRateLimiter(cache::RedisClient& redis, std::string key_prefix)
    : redis_(redis), prefix_(std::move(key_prefix)), sha_(sha1_hex(kScript)) {}

asio::awaitable<std::optional<Decision>> RedisRateLimiter::acquire(std::string const& client_id,
                                                                         double per_minute, double burst) {
  auto const rate = number(per_minute / 60'000.0);
  auto const capacity = number(burst);
  std::vector<std::string> by_hash{"EVALSHA", sha_, "1", prefix_ + client_id, rate, capacity};
  auto result = co_await redis_.command(std::move(by_hash));
  if (result.failure == cache::RedisResult::Failure::kNone && result.reply.type == cache::RedisReply::Type::kError &&
      result.reply.text.starts_with("NOSCRIPT")) {
    // First use on this Redis (or after a restart): send the script itself; Redis caches it.
    std::vector<std::string> with_script{"EVAL", std::string(kScript), "1", prefix_ + client_id, rate, capacity};
    result = co_await redis_.command(std::move(with_script));
  }
  if (!result.ok() || result.reply.type != cache::RedisReply::Type::kArray || result.reply.elements.size() != 3)
    co_return std::nullopt;
  Decision decision;
  decision.allowed = result.reply.elements[0].integer == 1;
  decision.remaining = result.reply.elements[1].integer;
  decision.retry_after = std::chrono::milliseconds(result.reply.elements[2].integer);
  co_return decision;
}

}  // namespace prodmcp::ratelimit
