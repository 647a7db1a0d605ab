#pragma once
// A non-blocking Redis client: hiredis's async API driven by an Asio event loop, with connect and
// command timeouts and reconnection with exponential backoff and full jitter. Commands may be
// issued from any thread; they complete on the caller's executor. hiredis stays in the .cpp.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace prodmcp::cache {

namespace asio = boost::asio;

struct RedisOptions {
  std::string url = "redis://localhost:6379";  // redis://[user:password@]host[:port][/db]
  std::chrono::milliseconds connect_timeout{500};
  std::chrono::milliseconds command_timeout{250};
  std::chrono::milliseconds reconnect_base{100};  // backoff after a failed connection, doubling
  std::chrono::milliseconds reconnect_max{5000};
};

struct RedisReply {
  enum class Type { kNil, kString, kInteger, kArray, kStatus, kError };
  Type type = Type::kNil;
  std::string text;  // strings, statuses and errors
  std::int64_t integer = 0;
  std::vector<RedisReply> elements;
};

// The complete replies in `wire` (RESP as Redis sends it), read by the same reader and conversion
// as the connection's; stops at the first incomplete or malformed one. For tests and fuzzing.
std::vector<RedisReply> read_replies(std::string_view wire);

// Either a reply (which may itself be a Redis error reply) or why there is none.
struct RedisResult {
  enum class Failure { kNone, kNotConnected, kTimeout, kDisconnected };
  Failure failure = Failure::kNone;
  RedisReply reply;

  bool ok() const { return failure == Failure::kNone && reply.type != RedisReply::Type::kError; }
  std::string describe() const;  // for logs and health details
};

class RedisClient {
 public:
  // The connection lives on `io` (one thread); call start() once, stop() before `io` ends.
  RedisClient(asio::io_context& io, RedisOptions options);
  ~RedisClient();
  RedisClient(RedisClient const&) = delete;
  RedisClient& operator=(RedisClient const&) = delete;

  void start();
  void stop();
  bool connected() const;
  std::string const& address() const;  // host:port, for logs (never the password)

  // One command, e.g. {"GET", key}. Never throws; bounded by the command timeout.
  asio::awaitable<RedisResult> command(std::vector<std::string> arguments);

  // Rejects a URL the client cannot use, saying why; empty when it is fine.
  static std::string check_url(std::string const& url);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace prodmcp::cache
