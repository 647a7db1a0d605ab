#pragma once
// State of one session on the session revisions (2025-03-26 … 2025-11-25): what initialize
// negotiated, subscriptions, in-flight requests that may be cancelled, server-to-client requests
// awaiting the client's answer, and the SSE streams a client may resume. With a session store the
// registry holds a local copy of each session this replica serves and keeps the store current.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/json/object.hpp>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "protocol/event_stream.hpp"
#include "protocol/log_level.hpp"
#include "protocol/revision.hpp"
#include "protocol/session_store.hpp"

namespace prodmcp::protocol {

namespace json = boost::json;

// A request being served that the client may cancel with notifications/cancelled.
struct InFlightRequest {
  asio::any_io_executor executor;
  asio::cancellation_signal signal;
  std::atomic<bool> cancelled{false};
};

class Session {
 public:
  // `client_id` is who initialized it: only that client may use it.
  Session(std::string id, Revision revision, json::object client_capabilities, json::object client_info,
          std::string client_id = "anonymous");
  // A session another replica created, from the store's fields; null when they are malformed.
  static std::shared_ptr<Session> from_shared_fields(std::string id, SessionFields const& fields);

  std::string const& id() const { return id_; }
  std::string const& client_id() const { return client_id_; }
  Revision revision() const { return revision_; }
  json::object const& client_capabilities() const { return *client_capabilities_; }
  std::shared_ptr<json::object const> const& shared_client_capabilities() const { return client_capabilities_; }
  json::object const& client_info() const { return client_info_; }

  void mark_initialized();
  bool initialized() const { return initialized_; }
  void set_log_level(LogLevel level);
  std::optional<LogLevel> log_level() const;

  void touch();
  std::chrono::steady_clock::time_point last_seen() const;

  // The gateway: the session a remote (url) upstream gave this client session, as the gateway
  // writes it down, kept in the store so that every replica continues the same remote session.
  void set_upstream_session(std::string const& upstream, std::string value);
  std::optional<std::string> upstream_session(std::string const& upstream) const;

  // Resource subscriptions (resources/subscribe), at most kMaxSubscriptions: each costs memory
  // here and, with sessions in Redis, a field there.
  static constexpr std::size_t kMaxSubscriptions = 1000;
  // False, and nothing changes, when the session holds kMaxSubscriptions others already.
  bool can_subscribe(std::string const& uri) const;
  void subscribe(std::string const& uri);
  void unsubscribe(std::string const& uri);
  bool subscribed(std::string const& uri) const;

  // Requests being served now, whatever their transport: false (and nothing counted) when `most`
  // are already; each true is followed by one end_serving().
  bool begin_serving(std::size_t most);
  void end_serving();

  // Requests in flight, by serialized JSON-RPC id.
  std::shared_ptr<InFlightRequest> begin_request(std::string const& id, asio::any_io_executor executor);
  void end_request(std::string const& id);
  bool cancel_request(std::string const& id);
  std::size_t in_flight() const;

  // Server-to-client requests: reserve an id before sending, then wait for the answer. At most
  // kMaxPendingReplies wait at once: a client that answers none cannot make the session hold more
  // (the next throws -32014).
  static constexpr std::size_t kMaxPendingReplies = 64;
  struct PendingReply;
  std::pair<std::string, std::shared_ptr<PendingReply>> expect_reply(asio::any_io_executor executor);
  // Shared sessions: tells the store the answer is awaited, so another replica receiving it hands
  // it over. Call before sending the request.
  asio::awaitable<void> announce_reply(std::string const& id, std::chrono::milliseconds timeout);
  // Empty when the timeout passed or the session ended first.
  asio::awaitable<std::optional<json::object>> wait_reply(std::string const& id,
                                                          std::shared_ptr<PendingReply> pending,
                                                          std::chrono::milliseconds timeout);
  // No answer to `id` is awaited any more (wait_reply does it; a request that failed before waiting
  // must too, or its place stays taken). Safe to repeat.
  void forget_reply(std::string const& id);
  // Routes a client's response to the waiting request; false when nothing waits for that id.
  bool deliver_reply(std::string const& id, json::object response);

  // SSE streams. The standalone stream (GET) carries messages unrelated to any request.
  std::shared_ptr<EventStream> open_stream();
  std::shared_ptr<EventStream> find_stream(std::string const& id) const;
  void forget_stream(std::string const& id);
  std::shared_ptr<EventStream> standalone_stream() const;
  // Returns the standalone stream, or null when one is already attached to a live GET.
  std::shared_ptr<EventStream> claim_standalone_stream();
  void release_standalone_stream();

  // Ends everything: waiting replies fail, streams finish, in-flight work is cancelled.
  void close();

  // Shared sessions (a session store is configured). Changes to what the store holds are kept
  // until taken, so the registry can write them before the response that reports them; answers
  // to server-to-client requests may also arrive through the store.
  void share(SessionStore& store);
  bool published() const;  // the store has it (it was created there, or came from there)
  void set_published(bool published);
  std::vector<SessionFieldChange> take_changes();
  void restore_changes(std::vector<SessionFieldChange> changes);  // the store could not take them
  // All fields, for creating the session in the store; pending changes are part of them.
  SessionFields take_all_fields();
  // What another replica changed: initialized, log level, subscriptions.
  void apply_shared_fields(SessionFields const& fields);
  // When this copy was last known to match the store.
  void mark_checked();
  std::chrono::steady_clock::time_point checked() const;
 private:
  void record_change(std::string field, std::optional<std::string> value);

  std::string const id_;
  Revision const revision_;
  std::shared_ptr<json::object const> const client_capabilities_;
  json::object const client_info_;
  std::string const client_id_;
  std::atomic<bool> initialized_{false};
  std::atomic<int> log_level_{-1};
  std::atomic<std::int64_t> last_seen_;
  std::atomic<std::int64_t> checked_{0};
  std::atomic<std::size_t> serving_{0};

  mutable std::mutex mutex_;
  std::set<std::string> subscriptions_;
  std::map<std::string, std::string> upstream_sessions_;  // by upstream name
  std::unordered_map<std::string, std::shared_ptr<InFlightRequest>> in_flight_;
  std::unordered_map<std::string, std::shared_ptr<PendingReply>> pending_;
  // Stream ids are decimal counters: order by length first so begin() is the oldest stream.
  struct OldestFirst {
    bool operator()(std::string const& a, std::string const& b) const {
      return a.size() != b.size() ? a.size() < b.size() : a < b;
    }
  };
  using StreamMap = std::map<std::string, std::shared_ptr<EventStream>, OldestFirst>;
  StreamMap streams_;
  std::shared_ptr<EventStream> standalone_;
  bool standalone_claimed_ = false;
  std::uint64_t next_stream_ = 0;
  bool closed_ = false;
  SessionStore* store_ = nullptr;  // shared: changes are kept for it
  bool published_ = false;
  std::vector<SessionFieldChange> changes_;
};

// All live sessions, sharded by id so lookups from many threads rarely contend. With a store the
// sessions here are this replica's copies: a session any replica created is found, and one ended
// on any replica ends here at its next use.
class SessionRegistry {
 public:
  explicit SessionRegistry(std::size_t max_sessions = 100000) : max_sessions_(max_sessions) {}

  // Before serving: keep sessions in `store`, where unused ones end after `idle`.
  void share(SessionStore& store, std::chrono::milliseconds idle);
  bool shared() const { return store_ != nullptr; }
  // A copy checked against the store this recently serves without asking it again: what other
  // replicas change (an end, a log level, subscriptions) shows here that much later at most.
  // Zero asks the store on every request. Any time (config reload).
  void set_recheck_interval(std::chrono::milliseconds interval) { recheck_.store(interval.count()); }

  // Null when the registry is full.
  std::shared_ptr<Session> create(Revision revision, json::object client_capabilities, json::object client_info,
                                  std::string client_id = "anonymous");
  // This replica's copy only.
  std::shared_ptr<Session> find(std::string const& id) const;
  // The session wherever it was created, brought up to date from the store; null when it ended.
  // While the store is unavailable, this replica's copy.
  asio::awaitable<std::shared_ptr<Session>> lookup(std::string const& id);
  // Writes the session's changes (or the new session) to the store; nothing without one.
  asio::awaitable<void> publish(Session& session);
  // The client ended the session: here and in the store.
  asio::awaitable<void> end(std::string const& id);
  // A client's answer that no request on this replica waits for: to the store, where the replica
  // that asked finds it.
  asio::awaitable<void> forward_reply(Session const& session, json::object const& response);
  // This replica's copy only (the store keeps the session for the other replicas).
  bool remove(std::string const& id);
  std::size_t size() const { return count_.load(std::memory_order_relaxed); }
  void for_each(std::function<void(Session&)> const& visit) const;
  // Finishes every session's standalone (GET) stream, leaving requests in flight alone: the first
  // step of a graceful shutdown.
  void finish_standalone_streams();
  // Closes sessions not seen for `idle`; returns how many.
  std::size_t expire_idle(std::chrono::steady_clock::duration idle);
  void close_all();

 private:
  static constexpr std::size_t kShards = 16;
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, std::shared_ptr<Session>> sessions;
  };
  Shard& shard_for(std::string const& id) const;
  // Registers a copy made from the store, unless another request registered one first.
  std::shared_ptr<Session> adopt(std::shared_ptr<Session> session);

  std::size_t const max_sessions_;
  mutable std::array<Shard, kShards> shards_;
  std::atomic<std::size_t> count_{0};
  SessionStore* store_ = nullptr;
  std::chrono::milliseconds store_ttl_{0};
  std::atomic<std::int64_t> recheck_{0};  // milliseconds
};

// The key a JSON-RPC id is tracked under (ids may be strings or integers).
std::string id_key(json::value const& id);

}  // namespace prodmcp::protocol
