#pragma once
// Where tool results are cached. The engine asks it for a cacheable tool's result before running
// the tool and hands it the result after; the implementation (Redis, memory) is the server's.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace prodmcp::protocol {

class ResultCache {
 public:
  virtual ~ResultCache() = default;
  // The key of one call, computed once and used for both the lookup and the store.
  virtual std::string key(std::string_view tool, boost::json::object const& arguments) const = 0;
  // The serialized result cached under `key`, if any. Never throws; a failing store is a miss.
  virtual boost::asio::awaitable<std::optional<std::string>> get(std::string key) = 0;
  // Stores a result; returns at once (the write may finish later).
  virtual void put(std::string key, std::string result, std::chrono::seconds ttl) = 0;
};

// Which tools are cached, and for how long.
struct CachePolicy {
  std::chrono::seconds default_ttl{300};  // CACHE_TTL, for tools marked cacheable
  std::map<std::string, std::chrono::seconds, std::less<>> per_tool;  // overrides; 0 turns caching off
};

}  // namespace prodmcp::protocol
