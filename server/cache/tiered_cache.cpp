#include "cache/tiered_cache.hpp"

#include <boost/asio/co_spawn.hpp>

#include "cache/cache_key.hpp"
#include "logging/detached_failure.hpp"

namespace prodmcp::cache {

TieredCache::TieredCache(MemoryCache& memory, RedisClient* redis, resilience::CircuitBreaker* breaker,
                         asio::any_io_executor redis_executor, std::function<void(std::string_view, bool)> on_lookup)
    : memory_(memory),
      redis_(redis),
      breaker_(breaker),
      redis_executor_(std::move(redis_executor)),
      on_lookup_(std::move(on_lookup)) {}

bool TieredCache::redis_usable() { return redis_ && breaker_ && redis_->connected() && breaker_->allow(); }

void TieredCache::report(std::string_view type, bool hit) const {
  if (on_lookup_) on_lookup_(type, hit);
}

std::string TieredCache::key(std::string_view tool, boost::json::object const& arguments) const {
  return tool_cache_key(tool, arguments);
}

asio::awaitable<std::optional<std::string>> TieredCache::get(std::string key) {
  if (redis_usable()) {
    std::vector<std::string> command{"GET", key};
    auto const result = co_await redis_->command(std::move(command));
    if (result.ok()) {
      breaker_->record_success();
      bool const hit = result.reply.type == RedisReply::Type::kString;
      report("redis", hit);
      if (hit) co_return result.reply.text;
      co_return std::nullopt;
    }
    breaker_->record_failure();  // then answer from memory, as if Redis were not there
  }
  auto value = memory_.get(key);
  report("memory", value.has_value());
  co_return value;
}

void TieredCache::put(std::string key, std::string result, std::chrono::seconds ttl) {
  // Memory always holds a copy, so a Redis outage starts with a warm cache.
  memory_.put(key, result, ttl);
  if (!redis_usable()) return;
  std::vector<std::string> command{"SET", std::move(key), std::move(result), "EX", std::to_string(ttl.count())};
  asio::co_spawn(
      redis_executor_,
      [redis = redis_, breaker = breaker_, command = std::move(command)]() mutable -> asio::awaitable<void> {
        auto const stored = co_await redis->command(std::move(command));
        if (stored.ok()) breaker->record_success();
        else breaker->record_failure();
      },
      logging::LogFailure{"cache_write_behind"});
}

}  // namespace prodmcp::cache
