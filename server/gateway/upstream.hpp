#pragma once
// One upstream MCP server, supervised: started, initialized and listed before it counts as up;
// restarted with backoff when it exits (as its restart policy says); given up on, with the
// reason, after a crash loop. Calls pass a breaker ("upstream:NAME"), a bulkhead
// (max_in_flight) and the upstream's timeout, and are measured.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "config/settings.hpp"
#include "gateway/stdio_connection.hpp"

namespace prodmcp::ops {
class Metrics;
}

namespace prodmcp::gateway {

class CallTrace;

// What an upstream offers, every page of every list followed.
struct Listing {
  std::string protocol_version;
  json::object server_info;
  json::array tools, resources, templates, prompts;
  bool completions = false;  // it answers completion/complete
  bool subscriptions = false;  // it takes resources/subscribe
};

struct UpstreamStatus {
  std::string state;   // starting, ready, restarting, stopped, failed
  std::string detail;  // why it is not ready, or what it is
  bool required = true;
  std::size_t client_children = 0;  // per-client: children of client sessions
  bool ready() const { return state == "ready"; }
};

// What the gateway knows of the client sessions its upstreams serve.
struct ClientSessions {
  // Client sessions live in Redis for every replica (a client's remote sessions follow them).
  bool replicated = false;
  // Asks a client session something outside any call (on its GET stream); throws RpcError.
  std::function<asio::awaitable<json::object>(std::string const& session, std::string const& method,
                                              json::object params)>
      ask;
};

class Upstream : public std::enable_shared_from_this<Upstream> {
 public:
  struct Observer {
    std::function<void(Listing const&)> listed;            // after each (re)start and list_changed
    std::function<void(std::string const& uri)> resource_updated;
  };

  // Its supervision and I/O run on `executor` (one thread). With `clients.replicated` a client's
  // remote session is written into its session and continued by whichever replica serves it,
  // and this replica never deletes it. A client session's child may ask it something outside
  // any call through `clients.ask`.
  Upstream(std::string name, config::UpstreamSettings settings, config::ResilienceSettings const& resilience,
           asio::any_io_executor executor, ops::Metrics* metrics, Observer observer, ClientSessions clients);
  ~Upstream();

  std::string const& name() const { return name_; }
  config::UpstreamSettings const& settings() const { return settings_; }
  void start();
  // Stops supervising and ends the child (stdin closed, SIGTERM, SIGKILL after `grace`).
  void stop(std::chrono::milliseconds grace);
  bool stopped_child() const;  // after stop(): every child has exited
  // per-client: ends the children of client sessions that ended or were not used for `idle`.
  void reap(std::function<bool(std::string const& session)> const& session_alive, std::chrono::seconds idle);

  // Forwards one request; throws protocol::RpcError (its own errors pass through unchanged).
  asio::awaitable<json::object> call(std::string method, json::object params, CallHooks const& hooks);
  // Subscribes the supervised session to `uri` (once; again after each restart), so the server's
  // notifications/resources/updated for it reach the gateway. Throws RpcError.
  asio::awaitable<void> subscribe(std::string uri);
  // A round trip (ping) for /ready; its latency in ms, or throws RpcError.
  asio::awaitable<double> ping();
  UpstreamStatus status() const;
  // Where the two legs of this upstream's client calls are recorded (the gateway's one trace).
  void set_trace(std::shared_ptr<CallTrace> trace) { trace_ = std::move(trace); }
  CallTrace* trace() const { return trace_.get(); }
  // What the admin port's /upstreams shows of it: state, transport, target, its process (pid or
  // remote session) and its client sessions' children, restarts, the last exit in its own words,
  // the breaker, calls in flight and what the server said it is.
  json::object describe() const;
  // Ends its child (and its client sessions' children) and starts it again at once, with no
  // backoff and its crash-loop count cleared, also after it was given up on or stopped by its
  // restart policy. `why` goes into the log. No-op while the gateway stops.
  void restart(std::string const& why);

  struct Impl;

 private:
  asio::awaitable<json::object> attempt_call(std::string const& method, json::object const& params,
                                             CallHooks const& hooks);
  std::string const name_;
  config::UpstreamSettings const settings_;
  std::shared_ptr<Impl> impl_;
  std::shared_ptr<CallTrace> trace_;
};

}  // namespace prodmcp::gateway
