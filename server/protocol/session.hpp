#pragma once
// State of one session on the session revisions (2025-03-26 … 2025-11-25): what initialize
// negotiated, subscriptions, in-flight requests that may be cancelled, server-to-client requests
// awaiting the client's answer, and the SSE streams a client may resume.
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

#include "protocol/event_stream.hpp"
#include "protocol/log_level.hpp"
#include "protocol/revision.hpp"

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
  Session(std::string id, Revision revision, json::object client_capabilities, json::object client_info);

  std::string const& id() const { return id_; }
  Revision revision() const { return revision_; }
  json::object const& client_capabilities() const { return client_capabilities_; }
  json::object const& client_info() const { return client_info_; }

  void mark_initialized() { initialized_ = true; }
  bool initialized() const { return initialized_; }
  void set_log_level(LogLevel level) { log_level_ = static_cast<int>(level); }
  std::optional<LogLevel> log_level() const;

  void touch();
  std::chrono::steady_clock::time_point last_seen() const;

  // Resource subscriptions (resources/subscribe).
  void subscribe(std::string const& uri);
  void unsubscribe(std::string const& uri);
  bool subscribed(std::string const& uri) const;

  // Requests in flight, by serialized JSON-RPC id.
  std::shared_ptr<InFlightRequest> begin_request(std::string const& id, asio::any_io_executor executor);
  void end_request(std::string const& id);
  bool cancel_request(std::string const& id);
  std::size_t in_flight() const;

  // Server-to-client requests: reserve an id before sending, then wait for the answer.
  struct PendingReply;
  std::pair<std::string, std::shared_ptr<PendingReply>> expect_reply(asio::any_io_executor executor);
  // Empty when the timeout passed or the session ended first.
  asio::awaitable<std::optional<json::object>> wait_reply(std::string const& id,
                                                          std::shared_ptr<PendingReply> pending,
                                                          std::chrono::milliseconds timeout);
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

 private:
  std::string const id_;
  Revision const revision_;
  json::object const client_capabilities_;
  json::object const client_info_;
  std::atomic<bool> initialized_{false};
  std::atomic<int> log_level_{-1};
  std::atomic<std::int64_t> last_seen_;

  mutable std::mutex mutex_;
  std::set<std::string> subscriptions_;
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
  std::uint64_t next_request_ = 0;
  bool closed_ = false;
};

// All live sessions, sharded by id so lookups from many threads rarely contend.
class SessionRegistry {
 public:
  explicit SessionRegistry(std::size_t max_sessions = 100000) : max_sessions_(max_sessions) {}

  // Null when the registry is full.
  std::shared_ptr<Session> create(Revision revision, json::object client_capabilities,
                                  json::object client_info);
  std::shared_ptr<Session> find(std::string const& id) const;
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

  std::size_t const max_sessions_;
  mutable std::array<Shard, kShards> shards_;
  std::atomic<std::size_t> count_{0};
};

// The key a JSON-RPC id is tracked under (ids may be strings or integers).
std::string id_key(json::value const& id);

}  // namespace prodmcp::protocol
