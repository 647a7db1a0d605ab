#include "cache/memory_cache.hpp"

namespace prodmcp::cache {

MemoryCache::MemoryCache(std::size_t max_bytes, Clock clock) : max_bytes_(max_bytes), clock_(std::move(clock)) {}

std::optional<std::string> MemoryCache::get(std::string const& key) {
  auto const now = clock_();
  std::lock_guard lock(mutex_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++stats_.misses;
    return std::nullopt;
  }
  if (it->second->expires <= now) {
    remove(it->second);
    ++stats_.expired;
    ++stats_.misses;
    return std::nullopt;
  }
  order_.splice(order_.begin(), order_, it->second);
  ++stats_.hits;
  return it->second->value;
}

void MemoryCache::put(std::string const& key, std::string value, std::chrono::seconds ttl) {
  Entry entry{key, std::move(value), clock_() + ttl};
  auto const size = cost(entry);
  std::lock_guard lock(mutex_);
  if (auto it = index_.find(key); it != index_.end()) remove(it->second);
  if (size > max_bytes_) return;  // larger than the whole budget: never stored
  while (stats_.bytes + size > max_bytes_ && !order_.empty()) {
    remove(std::prev(order_.end()));
    ++stats_.evictions;
  }
  order_.push_front(std::move(entry));
  index_[key] = order_.begin();
  stats_.bytes += size;
  stats_.entries = order_.size();
}

void MemoryCache::erase(std::string const& key) {
  std::lock_guard lock(mutex_);
  if (auto it = index_.find(key); it != index_.end()) remove(it->second);
}

MemoryCache::Stats MemoryCache::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void MemoryCache::remove(Order::iterator entry) {
  stats_.bytes -= cost(*entry);
  index_.erase(entry->key);
  order_.erase(entry);
  stats_.entries = order_.size();
}

}  // namespace prodmcp::cache
