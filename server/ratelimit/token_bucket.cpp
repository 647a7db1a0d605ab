#include "ratelimit/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace prodmcp::ratelimit {

TokenBuckets::TokenBuckets(double per_minute, double burst, std::size_t max_clients, Clock clock)
    : per_ms_(per_minute / 60'000.0), burst_(burst), max_clients_(max_clients), clock_(std::move(clock)) {}

Decision TokenBuckets::acquire(std::string_view client_id) {
  auto const now = clock_();
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(client_id);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_clients_) {
      buckets_.erase(recency_.back());
      recency_.pop_back();
    }
    recency_.emplace_front(client_id);
    it = buckets_.emplace(std::string(client_id), Bucket{burst_, now, recency_.begin()}).first;
  } else {
    recency_.splice(recency_.begin(), recency_, it->second.age);
  }
  auto& bucket = it->second;
  auto const elapsed_ms = std::chrono::duration<double, std::milli>(now - bucket.updated).count();
  bucket.tokens = std::min(burst_, bucket.tokens + std::max(0.0, elapsed_ms) * per_ms_);
  bucket.updated = now;
  Decision decision;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    decision.allowed = true;
  } else {
    decision.retry_after =
        std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil((1 - bucket.tokens) / per_ms_)));
  }
  decision.remaining = static_cast<std::int64_t>(bucket.tokens);
  return decision;
}

void TokenBuckets::reconfigure(double per_minute, double burst) {
  std::lock_guard lock(mutex_);
  per_ms_ = per_minute / 60'000.0;
  burst_ = burst;
  for (auto& [client, bucket] : buckets_) bucket.tokens = std::min(bucket.tokens, burst_);
}

std::size_t TokenBuckets::tracked_clients() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace prodmcp::ratelimit
