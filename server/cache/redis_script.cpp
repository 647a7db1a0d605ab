#include "cache/redis_script.hpp"

#include <openssl/sha.h>

#include <array>

namespace prodmcp::cache {

namespace {

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

std::vector<std::string> eval_command(std::string command, std::string const& script, std::vector<std::string> const& keys,
                                      std::vector<std::string> const& arguments) {
  std::vector<std::string> words{std::move(command), script, std::to_string(keys.size())};
  words.insert(words.end(), keys.begin(), keys.end());
  words.insert(words.end(), arguments.begin(), arguments.end());
  return words;
}

}  // namespace

RedisScript::RedisScript(std::string_view text) : text_(text), sha_(sha1_hex(text)) {}

asio::awaitable<RedisResult> RedisScript::run(RedisClient& redis, std::vector<std::string> keys,
                                              std::vector<std::string> arguments) const {
  auto by_hash = eval_command("EVALSHA", sha_, keys, arguments);
  auto result = co_await redis.command(std::move(by_hash));
  if (result.failure == RedisResult::Failure::kNone && result.reply.type == RedisReply::Type::kError &&
      result.reply.text.starts_with("NOSCRIPT")) {
    auto with_text = eval_command("EVAL", text_, keys, arguments);
    result = co_await redis.command(std::move(with_text));
  }
  co_return result;
}

}  // namespace prodmcp::cache
