#pragma once
// An in-memory LRU cache bounded by bytes, with a lifetime per entry: the cache without Redis and
// while Redis is down. Thread-safe.
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace prodmcp::cache {

class MemoryCache {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  static constexpr std::size_t kEntryOverhead = 96;  // bookkeeping per entry, counted against the budget

  explicit MemoryCache(std::size_t max_bytes, Clock clock = std::chrono::steady_clock::now);

  std::optional<std::string> get(std::string const& key);
  void put(std::string const& key, std::string value, std::chrono::seconds ttl);
  void erase(std::string const& key);

  struct Stats {
    std::uint64_t hits = 0, misses = 0, evictions = 0, expired = 0;
    std::size_t bytes = 0, entries = 0;
  };
  Stats stats() const;

 private:
  struct Entry {
    std::string key;
    std::string value;
    std::chrono::steady_clock::time_point expires;
  };
  using Order = std::list<Entry>;  // most recently used first

  static std::size_t cost(Entry const& entry) { return entry.key.size() + entry.value.size() + kEntryOverhead; }
  void remove(Order::iterator entry);

  std::size_t const max_bytes_;
  Clock const clock_;
  mutable std::mutex mutex_;
  Order order_;
  std::unordered_map<std::string, Order::iterator> index_;
  Stats stats_;
};

}  // namespace prodmcp::cache
