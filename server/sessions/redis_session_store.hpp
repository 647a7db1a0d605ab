#pragma once
// Sessions kept in Redis, one hash per session (prodmcp:session:<id>) that expires when no replica
// has used the session for the idle timeout; an ended session leaves a hash holding only
// "ended" for as long. While a replica waits for the answer to a server-to-client request,
// prodmcp:session:<id>:await:<request> says so; an answer reaching another replica waits in
// prodmcp:session:<id>:reply:<request> until the asking replica takes it. Calls go through the Redis circuit breaker, so an
// outage answers "unavailable" at once instead of waiting on every request.
#include "cache/redis_client.hpp"
#include "cache/redis_script.hpp"
#include "protocol/session_store.hpp"
#include "resilience/circuit_breaker.hpp"

namespace prodmcp::sessions {

namespace asio = boost::asio;

class RedisSessionStore final : public protocol::SessionStore {
 public:
  // `breaker` may be null.
  RedisSessionStore(cache::RedisClient& redis, resilience::CircuitBreaker* breaker,
                    std::string key_prefix = "prodmcp:session:");

  asio::awaitable<std::pair<Outcome, protocol::SessionFields>> load(std::string id,
                                                                    std::chrono::milliseconds ttl) override;
  asio::awaitable<Outcome> create(std::string id, protocol::SessionFields fields,
                                  std::chrono::milliseconds ttl) override;
  asio::awaitable<Outcome> update(std::string id, std::vector<protocol::SessionFieldChange> changes) override;
  asio::awaitable<Outcome> end(std::string id, std::chrono::milliseconds ttl) override;
  asio::awaitable<Outcome> expect_reply(std::string session_id, std::string request_key,
                                        std::chrono::milliseconds ttl) override;
  asio::awaitable<Outcome> put_reply(std::string session_id, std::string request_key, std::string reply) override;
  asio::awaitable<std::pair<Outcome, std::string>> take_reply(std::string session_id,
                                                              std::string request_key) override;

 // The load script's reply as a session's fields: kAbsent for none, kEnded for an ended session,
  // kUnavailable for a reply that is not a hash's fields.
  static std::pair<Outcome, protocol::SessionFields> fields_of(cache::RedisReply const& reply);

 private:
  bool usable();
  std::string request_key_of(std::string const& session_id, std::string_view kind, std::string const& request_key) const;
  // Feeds the breaker; true when Redis answered without an error.
  bool settle(cache::RedisResult const& result);

  cache::RedisClient& redis_;
  resilience::CircuitBreaker* breaker_;
  std::string prefix_;
  cache::RedisScript load_script_;
  cache::RedisScript create_script_;
  cache::RedisScript update_script_;
  cache::RedisScript end_script_;
  cache::RedisScript put_reply_script_;
};

}  // namespace prodmcp::sessions
