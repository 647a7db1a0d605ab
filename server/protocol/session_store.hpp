#pragma once
// Where sessions live for every replica that shares it (Redis), behind the registry's local copies.
// Only what any replica needs to serve a session travels, as named fields: what initialize
// negotiated, who owns the session, whether the client finished initializing, its log level and
// its resource subscriptions. Streams, requests in flight and replies awaited belong to a
// connection and stay with the replica holding it.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace prodmcp::protocol {

namespace asio = boost::asio;

using SessionFields = std::map<std::string, std::string>;

struct SessionFieldChange {
  std::string field;
  std::optional<std::string> value;  // nothing: remove the field
};

// A session the client ended stays known as ended (for `ttl`, as long as any replica may still
// hold a copy), so "ended" is told apart from "the store lost it" (a Redis restart without
// persistence, eviction): a replica puts a lost session back from its copy.
class SessionStore {
 public:
  enum class Outcome { kDone, kAbsent, kEnded, kUnavailable };
  virtual ~SessionStore() = default;

  // The session's fields, its life extended to `ttl` from now; kEnded when the client ended it,
  // kAbsent when the store does not have it, kUnavailable when the store cannot say.
  virtual asio::awaitable<std::pair<Outcome, SessionFields>> load(std::string id, std::chrono::milliseconds ttl) = 0;
  // Creates the session (replacing what the store has of that id) to live `ttl` unless used again.
  virtual asio::awaitable<Outcome> create(std::string id, SessionFields fields, std::chrono::milliseconds ttl) = 0;
  // Changes fields of a live session; kAbsent or kEnded (and no change) when it has none.
  virtual asio::awaitable<Outcome> update(std::string id, std::vector<SessionFieldChange> changes) = 0;
  // Ends the session, remembering that for `ttl`.
  virtual asio::awaitable<Outcome> end(std::string id, std::chrono::milliseconds ttl) = 0;

  // A replica asks the client something and waits up to `ttl` for the answer, which may reach
  // another replica. Announced before the question is sent, so no answer can come first.
  virtual asio::awaitable<Outcome> expect_reply(std::string session_id, std::string request_key,
                                                std::chrono::milliseconds ttl) = 0;
  // An answer that reached a replica other than the one waiting: kept for that one to take while
  // it waits; kAbsent (nothing kept) when no replica waits for it, so clients cannot fill the store.
  virtual asio::awaitable<Outcome> put_reply(std::string session_id, std::string request_key, std::string reply) = 0;
  // Takes such an answer once it is there (kAbsent until then).
  virtual asio::awaitable<std::pair<Outcome, std::string>> take_reply(std::string session_id,
                                                                      std::string request_key) = 0;
};

}  // namespace prodmcp::protocol
