#pragma once
// Token buckets per client, in this process: the rate limit without Redis, and the fallback while
// Redis is down. Memory stays bounded: the least recently seen clients are forgotten first.
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace prodmcp::ratelimit {

struct Decision {
  bool allowed = false;
  std::int64_t remaining = 0;                // whole tokens left
  std::chrono::milliseconds retry_after{0};  // when refused: until one token is back
};

class TokenBuckets {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  TokenBuckets(double per_minute, double burst, std::size_t max_clients = 100'000,
               Clock clock = std::chrono::steady_clock::now);

  Decision acquire(std::string_view client_id);
  void reconfigure(double per_minute, double burst);  // existing buckets keep their tokens, capped
  std::size_t tracked_clients() const;

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point updated;
    std::list<std::string>::iterator age;  // position in recency_
  };

  mutable std::mutex mutex_;
  double per_ms_;
  double burst_;
  std::size_t const max_clients_;
  Clock const clock_;
  struct TransparentHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  std::list<std::string> recency_;  // most recently seen first
  std::unordered_map<std::string, Bucket, TransparentHash, std::equal_to<>> buckets_;
};

}  // namespace prodmcp::ratelimit
