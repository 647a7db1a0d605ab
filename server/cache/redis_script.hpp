#pragma once
// A Lua script run on Redis by its SHA-1 (EVALSHA), sending the text itself only when this Redis
// does not know it yet (first use, or after a restart emptied its script cache).
#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "cache/redis_client.hpp"

namespace prodmcp::cache {

class RedisScript {
 public:
  explicit RedisScript(std::string_view text);

  asio::awaitable<RedisResult> run(RedisClient& redis, std::vector<std::string> keys,
                                   std::vector<std::string> arguments) const;

 private:
  std::string text_;
  std::string sha_;
};

}  // namespace prodmcp::cache
