#pragma once
// The tool-result cache the engine uses: Redis while it is configured and healthy, the in-memory
// LRU when it is not configured, down, or its circuit breaker is open. A Redis outage degrades the
// cache to memory; it never fails a request.
#include <functional>

#include "cache/memory_cache.hpp"
#include "cache/redis_client.hpp"
#include "protocol/result_cache.hpp"
#include "resilience/circuit_breaker.hpp"

namespace prodmcp::cache {

class TieredCache final : public protocol::ResultCache {
 public:
  // `redis` and `breaker` may be null (no Redis configured). `on_lookup(type, hit)` feeds metrics.
  TieredCache(MemoryCache& memory, RedisClient* redis, resilience::CircuitBreaker* breaker,
              asio::any_io_executor redis_executor, std::function<void(std::string_view, bool)> on_lookup = {});

  std::string key(std::string_view tool, boost::json::object const& arguments) const override;
  asio::awaitable<std::optional<std::string>> get(std::string key) override;
  void put(std::string key, std::string result, std::chrono::seconds ttl) override;

 private:
  bool redis_usable();
  void report(std::string_view type, bool hit) const;

  MemoryCache& memory_;
  RedisClient* redis_;
  resilience::CircuitBreaker* breaker_;
  asio::any_io_executor redis_executor_;
  std::function<void(std::string_view, bool)> on_lookup_;
};

}  // namespace prodmcp::cache
