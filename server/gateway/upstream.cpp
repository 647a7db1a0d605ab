#include "gateway/upstream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "gateway/call_trace.hpp"
#include "gateway/http_connection.hpp"
#include "gateway/stdio_connection.hpp"
#include "logging/detached_failure.hpp"
#include "logging/log.hpp"
#include "ops/metrics.hpp"
#include "resilience/breaker_settings.hpp"
#include "resilience/retry.hpp"
#include "resilience/circuit_breaker.hpp"
#include "util/environment.hpp"
#include "util/token_hash.hpp"

namespace prodmcp::gateway {

namespace {

namespace rpc = protocol::error_code;
using logging::Level;
using protocol::RpcError;
using ExitSignal = asio::experimental::concurrent_channel<void(boost::system::error_code)>;
using Latch = asio::experimental::concurrent_channel<void(boost::system::error_code)>;  // closed once

constexpr std::size_t kMaxPages = 1000;                  // against a cursor that never advances
constexpr std::size_t kMaxLineBytes = 64 << 20;          // one message from an upstream
constexpr auto kStableRun = std::chrono::seconds(60);    // a run this long ends a crash loop
constexpr auto kInitializeTimeoutCap = std::chrono::seconds(30);

// `client_session` empty for the supervised child. The child learns whose it is from
// PRODMCP_CLIENT_SESSION: "shared", or a stable name of the client session (not its id, which
// would let whoever reads it use the session), for a prototype that keeps state in files
// (env = { DB = "/tmp/notes-${PRODMCP_CLIENT_SESSION}.json" }).
ChildSpec child_spec(config::UpstreamSettings const& settings, std::string const& client_session) {
  ChildSpec spec;
  spec.command = settings.command;
  spec.args = settings.args;
  spec.env = settings.env;
  spec.cwd = settings.cwd;
  spec.variables["PRODMCP_CLIENT_SESSION"] =
      client_session.empty() ? "shared" : util::hash_token(client_session).substr(std::string_view("sha256:").size(), 16);
  return spec;
}

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view list_key(std::string_view method) {
  if (method == "tools/list") return "tools";
  if (method == "resources/list") return "resources";
  if (method == "resources/templates/list") return "resourceTemplates";
  return "prompts";
}

}  // namespace

struct Upstream::Impl : std::enable_shared_from_this<Impl> {
  Impl(std::string name, config::UpstreamSettings settings, config::ResilienceSettings const& resilience,
       asio::any_io_executor executor, ops::Metrics* metrics, Observer observer, ClientSessions clients)
      : replicated_sessions(clients.replicated),
        ask_client_session(std::move(clients.ask)),
        name(std::move(name)),
        settings(std::move(settings)),
        endpoint(this->settings.url.empty() ? nullptr : std::make_shared<HttpEndpoint>(this->settings.url)),
        headers(expanded(this->settings.headers)),
        executor(std::move(executor)),
        metrics(metrics),
        observer(std::move(observer)),
        breaker("upstream:" + this->name, resilience::breaker_options(resilience)) {}

  bool const replicated_sessions;
  std::function<asio::awaitable<json::object>(std::string const&, std::string const&, json::object)> const
      ask_client_session;
  std::string const name;
  config::UpstreamSettings const settings;
  std::shared_ptr<HttpEndpoint> const endpoint;  // url upstreams: shared by all their sessions
  std::map<std::string, std::string> const headers;  // url upstreams: ${VAR} expanded, once

  static std::map<std::string, std::string> expanded(std::map<std::string, std::string> values) {
    for (auto& [name, value] : values) value = util::expand_environment(value);
    return values;
  }
  asio::any_io_executor const executor;
  ops::Metrics* const metrics;
  Observer const observer;
  resilience::CircuitBreaker breaker;
  std::atomic<std::int64_t> in_flight{0};

  mutable std::mutex mutex;
  std::shared_ptr<Connection> connection;  // set while ready
  std::shared_ptr<Connection> child;       // the running child, ready or not
  std::string state = "starting";
  std::string detail = "not started yet";
  bool stopping = false;
  bool supervising = false;
  bool restart_requested = false;  // restart(): the next end of the child starts it again at once

  // What describe() shows of the supervised child's runs.
  struct Exit {
    ConnectionEnd end;
    std::int64_t at_unix_ms = 0;
  };
  std::optional<Exit> last_exit;
  std::int64_t restarts = 0;  // as mcp_upstream_restarts_total: after an exit or a failed start
  std::int64_t ready_since_unix_ms = 0;
  json::object server_info;
  std::string protocol_version;

  // per-client: a child of its own for each client session, started on its first call.
  struct ClientChild {
    std::shared_ptr<Connection> connection;  // null while it starts
    std::shared_ptr<Latch> started;
    std::string failure;
    std::chrono::steady_clock::time_point last_used;
  };
  std::map<std::string, std::shared_ptr<ClientChild>> clients;  // by client session id
  // Remote sessions that ended here (the server forgot them): not to be resumed from a client's
  // session again. Bounded; an old one forgotten is only tried once more.
  std::set<std::string> ended_remote_sessions;
  std::set<std::string> subscriptions;  // URIs the supervised session is subscribed to (renewed after a restart)

  // After a restart the new session knows none of them.
  asio::awaitable<void> resubscribe(std::shared_ptr<Connection> connection) {
    auto self = shared_from_this();
    std::set<std::string> uris;
    {
      std::lock_guard lock(mutex);
      uris = subscriptions;
    }
    for (auto const& uri : uris) {
      try {
        json::object params{{"uri", uri}};
        co_await connection->request("resources/subscribe", std::move(params), timeout(), no_hooks());
      } catch (RpcError const& error) {
        log(Level::kWarning, "upstream_resubscribe_failed", json::object{{"uri", uri}, {"error", error.message}});
      }
    }
  }

  void forget_remote_session(Connection const& connection) {  // with `mutex` held
    if (auto token = connection.resume_token(); !token.empty()) {
      if (ended_remote_sessions.size() >= 4096) ended_remote_sessions.clear();
      ended_remote_sessions.insert(std::move(token));
    }
  }

  // A client's session ends here: a remote one shared through Redis is left to the other replicas.
  void end_client_connection(Connection& connection, std::chrono::milliseconds grace) const {
    if (replicated_sessions && remote()) connection.detach(grace);
    else connection.stop(grace);
  }

  bool per_client() const { return settings.sessions == "per-client"; }

  void report_sessions() {
    std::size_t held = 0;
    bool up = false;
    {
      std::lock_guard lock(mutex);
      up = state == "ready";
      held = clients.size() + (up ? 1 : 0);
    }
    if (metrics) metrics->upstream_state(name, up, static_cast<std::int64_t>(held));
  }

  static json::object initialize_params() {
    return json::object{{"protocolVersion", "2025-11-25"},
                        {"capabilities", json::object{{"roots", json::object{}},
                                                      {"sampling", json::object{}},
                                                      {"elicitation", json::object{}}}},
                        {"clientInfo", json::object{{"name", "prodmcp-gateway"}, {"version", PRODMCP_VERSION}}}};
  }

  std::chrono::milliseconds initialize_timeout() const {
    return std::min<std::chrono::milliseconds>(timeout(), kInitializeTimeoutCap);
  }

  // Log fields naming a client session's child (the first 8 characters of the session id are
  // enough to find it); none for the supervised child.
  static json::object session_fields(std::string const& short_session) {
    return short_session.empty() ? json::object{} : json::object{{"session", short_session}};
  }

  // The events every child's connection reports alike: its stderr lines and protocol problems.
  Connection::Events logging_events(std::string const& short_session) {
    Connection::Events events;
    std::weak_ptr<Impl> weak = shared_from_this();
    events.stderr_line = [weak, short_session](std::string_view line) {
      auto fields = session_fields(short_session);
      fields["line"] = line;
      if (auto impl = weak.lock()) impl->log(Level::kInfo, "upstream_stderr", std::move(fields));
    };
    events.protocol_problem = [weak, short_session](std::string_view problem) {
      auto fields = session_fields(short_session);
      fields["problem"] = problem;
      if (auto impl = weak.lock()) impl->log(Level::kWarning, "upstream_protocol_error", std::move(fields));
    };
    return events;
  }

  // A notifications/message from a child that no call of a client could take.
  void log_message(json::object const& message, std::string const& short_session) const {
    auto fields = session_fields(short_session);
    fields["message"] = message.contains("params") ? message.at("params") : json::value(nullptr);
    log(Level::kInfo, "upstream_log", std::move(fields));
  }

  bool remote() const { return !settings.url.empty(); }
  // What a client session gets of its own: a child (stdio) or a session of the remote server.
  std::string client_event(std::string_view what) const {
    return std::string("upstream_client_") + (remote() ? "session_" : "child_") + std::string(what);
  }
  std::string target() const { return remote() ? settings.url : settings.command; }

  // A connection to the upstream: a child started now, or a remote server reached over HTTP.
  // `client_session` is empty for the supervised one.
  std::shared_ptr<Connection> open_connection(Connection::Events events, std::string const& client_session,
                                              std::string resume = {}) {
    bool const supervised = client_session.empty();
    if (!remote())
      return StdioConnection::start(executor, child_spec(settings, client_session), kMaxLineBytes, std::move(events));
    HttpConnection::Options options;
    options.endpoint = endpoint;
    options.headers = headers;
    options.max_message_bytes = kMaxLineBytes;
    // List changes come to the supervised session; a client session's own stream brings what the
    // server asks that client outside any call.
    options.listen = supervised || static_cast<bool>(events.unsolicited_request);
    options.resume = std::move(resume);
    return HttpConnection::open(executor, std::move(options), std::move(events));
  }

  static json::object with(json::object fields, json::object const& more) {
    for (auto const& [key, value] : more) fields[key] = value;
    return fields;
  }

  // Starts and initializes the child (or remote session) of one client session, or continues the
  // remote session `resume` names (one another replica started).
  asio::awaitable<std::shared_ptr<Connection>> start_client_child(std::string const& session, std::string resume) {
    auto const short_session = session.substr(0, 8);
    auto events = logging_events(short_session);
    std::weak_ptr<Impl> weak = shared_from_this();
    events.exited = [weak, short_session](ConnectionEnd const& end) {
      if (auto impl = weak.lock())
        impl->log(end.failed ? Level::kWarning : Level::kInfo, impl->client_event("exited"),
                  with(json::object{{"exit", end.description}, {"session", short_session}}, end.fields));
    };
    if (ask_client_session)
      events.unsolicited_request = [weak, session](std::string const& method, json::object params)
          -> asio::awaitable<json::object> {
        auto const impl = weak.lock();
        if (!impl) throw RpcError{rpc::kInternalError, "the gateway is shutting down"};
        co_return co_await impl->ask_client_session(session, method, std::move(params));
      };
    events.notification = [weak, short_session](json::object const& message) {
      // Lists come from the supervised child; a client child's own messages go to the log.
      if (auto impl = weak.lock(); impl && message.at("method") == "notifications/message")
        impl->log_message(message, short_session);
    };
    bool const resumed = !resume.empty();
    auto connection = open_connection(std::move(events), session, std::move(resume));
    if (resumed) {
      log(Level::kInfo, client_event("resumed"), with(json::object{{"session", short_session}}, connection->identity()));
      co_return connection;
    }
    try {
      auto params = initialize_params();
      co_await connection->request("initialize", std::move(params), initialize_timeout(), no_hooks());
    } catch (...) {
      connection->stop(std::chrono::milliseconds(0));
      throw;
    }
    log(Level::kInfo, client_event("started"), with(json::object{{"session", short_session}}, connection->identity()));
    connection->notify("notifications/initialized", {});
    co_return connection;
  }

  // The remote session the client's session names (written there by this or another replica),
  // unless it ended here; with `mutex` held.
  std::optional<std::string> stored_remote_session(CallHooks const& hooks) const {
    if (!remote() || !replicated_sessions || !hooks.remote_session) return std::nullopt;
    auto known = hooks.remote_session();
    if (known && ended_remote_sessions.contains(*known)) return std::nullopt;
    return known;
  }

  // The child of a client session, started on its first call (and again after it exited).
  asio::awaitable<std::shared_ptr<Connection>> client_connection(std::string const& session, CallHooks const& hooks) {
    std::shared_ptr<ClientChild> entry;
    bool starter = false;
    std::string resume;
    std::shared_ptr<Connection> superseded;
    {
      std::lock_guard lock(mutex);
      auto it = clients.find(session);
      if (it != clients.end() && it->second->connection && !it->second->connection->alive()) {
        forget_remote_session(*it->second->connection);
        log(Level::kInfo, client_event("replaced"),
            json::object{{"session", session.substr(0, 8)},
                         {"reason", remote() ? "its session ended; a new one starts" : "its child exited; a new one starts"}});
        clients.erase(it);
        it = clients.end();
      }
      if (it != clients.end() && it->second->connection) {
        // Two replicas that started a remote session for one client at once both wrote it down; the
        // store kept the last: every replica follows it.
        auto const known = stored_remote_session(hooks);
        auto const mine = it->second->connection->resume_token();
        if (known && !mine.empty() && *known != mine) {
          log(Level::kInfo, client_event("replaced"),
              json::object{{"session", session.substr(0, 8)},
                           {"reason", "another replica's session with the server is the client's now"}});
          superseded = it->second->connection;
          clients.erase(it);
          it = clients.end();
        }
      }
      if (it == clients.end()) {
        if (clients.size() >= static_cast<std::size_t>(settings.max_children))
          throw RpcError{rpc::kInternalError,
                         "upstream \"" + name + "\" already holds " + std::to_string(settings.max_children) +
                             (remote() ? " sessions" : " children") +
                             " for client sessions (max_children); retry when a session ends or idles out"};
        auto created = std::make_shared<ClientChild>();
        created->started = std::make_shared<Latch>(executor, 1);
        it = clients.emplace(session, std::move(created)).first;
        starter = true;
        resume = stored_remote_session(hooks).value_or("");
      }
      it->second->last_used = std::chrono::steady_clock::now();
      entry = it->second;
    }
    if (superseded) superseded->detach(std::chrono::milliseconds(0));
    if (starter) {
      std::shared_ptr<Connection> started;
      std::string failure;
      try {
        // Started from the gateway's thread: a child's parent-death signal follows the thread that
        // forked it, and a worker thread ends before the gateway has stopped its children.
        started = co_await asio::co_spawn(executor, start_client_child(session, resume), asio::use_awaitable);
      } catch (RpcError const& error) {
        failure = error.message;
      } catch (std::exception const& error) {
        failure = error.what();
      }
      {
        std::lock_guard lock(mutex);
        entry->connection = started;
        entry->failure = failure;
        if (!started)
          if (auto it = clients.find(session); it != clients.end() && it->second == entry) clients.erase(it);
      }
      entry->started->close();
      report_sessions();
      // Written into the client's session (and so into Redis, before the client hears back).
      if (started && replicated_sessions && hooks.remember_remote_session)
        if (auto const token = started->resume_token(); !token.empty() && token != resume)
          hooks.remember_remote_session(token);
    } else {
      bool waiting = false;
      {
        std::lock_guard lock(mutex);
        waiting = !entry->connection && entry->failure.empty();
      }
      if (waiting) co_await entry->started->async_receive(asio::as_tuple(asio::use_awaitable));  // ends when closed
    }
    std::lock_guard lock(mutex);
    if (!entry->connection)
      throw TransportFailure{{rpc::kInternalError, std::string(remote() ? "the upstream session" : "the child") +
                                                       " for this client session did not start: " + entry->failure}};
    co_return entry->connection;
  }

  std::chrono::milliseconds timeout() const { return std::chrono::milliseconds(settings.timeout_ms); }

  void log(Level level, std::string_view event, json::object fields = {}) const {
    fields["upstream"] = name;
    logging::write(level, "gateway", event, std::move(fields));
  }

  void set_state(std::string next, std::string why) {
    {
      std::lock_guard lock(mutex);
      state = std::move(next);
      detail = std::move(why);
    }
    report_sessions();
  }

  asio::awaitable<json::array> list_pages(Connection& upstream, std::string const& method) {
    json::array items;
    std::string cursor;
    for (std::size_t page = 0;; ++page) {
      if (page == kMaxPages) {
        log(Level::kWarning, "upstream_list_truncated",
            json::object{{"method", method}, {"pages", page}, {"reason", "the cursor kept changing; listing stopped"}});
        break;
      }
      json::object params;
      if (!cursor.empty()) params["cursor"] = cursor;
      auto result = co_await upstream.request(method, std::move(params), timeout(), no_hooks());
      if (auto* list = result.if_contains(list_key(method)); list && list->is_array())
        for (auto& item : list->get_array())
          if (item.is_object()) items.push_back(std::move(item));
      auto const* next = result.if_contains("nextCursor");
      if (!next || !next->is_string() || next->get_string().empty()) break;
      if (next->get_string() == cursor) {
        log(Level::kWarning, "upstream_list_truncated",
            json::object{{"method", method}, {"reason", "the server returned the same cursor again"}});
        break;
      }
      cursor = std::string(next->get_string());
    }
    co_return items;
  }

  asio::awaitable<Listing> list_everything(Connection& upstream, json::object const& capabilities,
                                           Listing listing) {
    listing.tools.clear(), listing.resources.clear(), listing.templates.clear(), listing.prompts.clear();
    if (capabilities.contains("tools")) listing.tools = co_await list_pages(upstream, "tools/list");
    if (capabilities.contains("resources")) {
      listing.resources = co_await list_pages(upstream, "resources/list");
      listing.templates = co_await list_pages(upstream, "resources/templates/list");
    }
    if (capabilities.contains("prompts")) listing.prompts = co_await list_pages(upstream, "prompts/list");
    co_return listing;
  }

  // Starts the child and makes it ready; returns the exit signal of the run, or throws.
  asio::awaitable<std::shared_ptr<ExitSignal>> start_child(json::object& capabilities, Listing& listing) {
    auto self = shared_from_this();
    auto exit_signal = std::make_shared<ExitSignal>(executor, 1);
    auto events = logging_events({});
    std::weak_ptr<Impl> weak = self;
    events.exited = [weak, exit_signal](ConnectionEnd const& end) {
      if (auto impl = weak.lock()) {
        impl->log(end.failed ? Level::kWarning : Level::kInfo, "upstream_exited",
                  with(json::object{{"exit", end.description}}, end.fields));
        std::lock_guard lock(impl->mutex);
        impl->last_exit = Exit{end, unix_ms_now()};
      }
      exit_signal->try_send(end.failed ? asio::error::connection_aborted : boost::system::error_code{});
    };
    events.notification = [weak](json::object const& message) {
      if (auto impl = weak.lock()) impl->notification(message);
    };
    auto child_connection = open_connection(std::move(events), {});
    {
      std::lock_guard lock(mutex);
      child = child_connection;
      restart_requested = false;  // asked for while none ran: this child is the restart
    }
    log(Level::kInfo, "upstream_started",
        with(json::object{{remote() ? "url" : "command", target()}}, child_connection->identity()));
    auto init_params = initialize_params();
    auto result =
        co_await child_connection->request("initialize", std::move(init_params), initialize_timeout(), no_hooks());
    if (auto const* version = result.if_contains("protocolVersion"); version && version->is_string())
      listing.protocol_version = std::string(version->get_string());
    if (auto const* info = result.if_contains("serverInfo"); info && info->is_object())
      listing.server_info = info->get_object();
    if (auto const* caps = result.if_contains("capabilities"); caps && caps->is_object())
      capabilities = caps->get_object();
    listing.completions = capabilities.contains("completions");
    if (auto const* resources = capabilities.if_contains("resources"); resources && resources->is_object())
      if (auto const* subscribe = resources->get_object().if_contains("subscribe"); subscribe && subscribe->is_bool())
        listing.subscriptions = subscribe->get_bool();
    child_connection->notify("notifications/initialized", {});
    listing = co_await list_everything(*child_connection, capabilities, std::move(listing));
    {
      std::lock_guard lock(mutex);
      connection = child_connection;
      ready_since_unix_ms = unix_ms_now();
      server_info = listing.server_info;
      protocol_version = listing.protocol_version;
    }
    co_return exit_signal;
  }

  std::shared_ptr<Connection> connection_now() const {
    std::lock_guard lock(mutex);
    return connection;
  }

  void notification(json::object const& message) {
    auto const method = message.at("method").get_string();
    if (method.ends_with("/list_changed")) {
      asio::co_spawn(executor, relist(), logging::LogFailure{"upstream_relist"});
    } else if (method == "notifications/resources/updated") {
      auto const* params = message.if_contains("params");
      auto const* uri = params && params->is_object() ? params->get_object().if_contains("uri") : nullptr;
      if (uri && uri->is_string() && observer.resource_updated) observer.resource_updated(std::string(uri->get_string()));
    } else if (method == "notifications/message") {
      log_message(message, {});
    }
  }

  asio::awaitable<void> relist() {
    auto self = shared_from_this();
    auto const current = connection_now();
    if (!current) co_return;
    try {
      // Capabilities do not change within a session: list what it has.
      json::object const all{{"tools", json::object{}}, {"resources", json::object{}}, {"prompts", json::object{}}};
      Listing fresh;  // named: GCC 12 miscompiles braced temporaries inside co_await expressions
      auto listing = co_await list_everything(*current, all, std::move(fresh));
      if (observer.listed) observer.listed(listing);
      log(Level::kInfo, "upstream_relisted", json::object{{"tools", listing.tools.size()}});
    } catch (RpcError const& error) {
      log(Level::kWarning, "upstream_relist_failed", json::object{{"error", error.message}});
    }
  }

  asio::awaitable<void> supervise() {
    auto self = shared_from_this();
    int failures = 0;
    auto backoff = std::chrono::milliseconds(settings.restart_backoff_ms);
    asio::steady_timer timer(executor);
    for (;;) {
      set_state("starting", (remote() ? "connecting to " : "starting ") + target());
      json::object capabilities;
      Listing listing;
      std::shared_ptr<ExitSignal> exit_signal;
      std::string failure;
      auto const run_started = std::chrono::steady_clock::now();
      try {
        exit_signal = co_await start_child(capabilities, listing);
      } catch (RpcError const& error) {
        failure = "it did not become ready: " + error.message;
      } catch (std::exception const& error) {
        failure = std::string("it could not be started: ") + error.what();
      }
      bool failed = !failure.empty();
      if (!failed) {
        // Its tools are in the catalog before anyone hears it is ready: a client that calls one on
        // "ready" (a log line, /upstreams, /ready) must find it.
        if (observer.listed) observer.listed(listing);
        set_state("ready", listing.server_info.contains("name") ? "serving as " +
                                                                      std::string(listing.server_info.at("name").as_string())
                                                                : "serving");
        log(Level::kInfo, "upstream_ready",
            json::object{{"protocol_version", listing.protocol_version},
                         {"tools", listing.tools.size()},
                         {"resources", listing.resources.size()},
                         {"prompts", listing.prompts.size()}});
        // Calls that failed with the old child opened the breaker: the new one gets probe calls
        // now, not after the breaker's wait (a fresh process that initialized is the best probe).
        breaker.probe_now();
        if (std::shared_ptr<Connection> ready = connection_now(); ready)
          asio::co_spawn(executor, resubscribe(std::move(ready)), logging::LogFailure{"upstream_resubscribe"});
        auto [ec] = co_await exit_signal->async_receive(asio::as_tuple(asio::use_awaitable));
        failed = ec == asio::error::connection_aborted;
        failure = !failed ? "it exited" : remote() ? "the server lost the session" : "it exited with a failure";
      } else {
        log(Level::kError, "upstream_start_failed", json::object{{"reason", failure}});
      }
      std::shared_ptr<Connection> ended;
      bool asked = false;
      {
        std::lock_guard lock(mutex);
        connection.reset();
        ended = std::exchange(child, nullptr);
        asked = std::exchange(restart_requested, false);
        if (stopping) {
          state = "stopped";
          detail = "the gateway is shutting down";
          supervising = false;
          co_return;
        }
      }
      if (ended) ended->stop(std::chrono::milliseconds(0));  // a child that never became ready
      report_sessions();
      if (asked) {
        failures = 0;
        backoff = std::chrono::milliseconds(settings.restart_backoff_ms);
        continue;
      }
      auto const policy = settings.restart;
      if (policy == "never" || (policy == "on-failure" && !failed)) {
        set_state("stopped", failure + "; restart = \"" + policy + "\" does not start it again");
        std::lock_guard lock(mutex);
        supervising = false;
        co_return;
      }
      if (std::chrono::steady_clock::now() - run_started >= kStableRun) {
        failures = 0;
        backoff = std::chrono::milliseconds(settings.restart_backoff_ms);
      }
      // A remote server that is down is waited for (at the longest backoff); a child that keeps
      // failing to start is a crash loop only its owner can fix.
      if (++failures >= settings.crash_loop_limit && !remote()) {
        auto why = "crash loop: " + std::to_string(failures) + " runs in a row ended within " +
                   std::to_string(kStableRun.count()) + " s (last: " + failure +
                   "); supervision stopped, fix the server and restart the gateway";
        log(Level::kError, "upstream_crash_loop", json::object{{"reason", why}});
        set_state("failed", std::move(why));
        std::lock_guard lock(mutex);
        supervising = false;
        co_return;
      }
      set_state("restarting", failure + "; starting again in " + std::to_string(backoff.count()) + " ms");
      log(Level::kWarning, "upstream_restarting", json::object{{"reason", failure}, {"backoff_ms", backoff.count()},
                                                               {"attempt", failures}});
      if (metrics) metrics->upstream_restarted(name);
      {
        std::lock_guard lock(mutex);
        ++restarts;
      }
      // In slices, so a shutdown or a restart asked for during the wait is not kept waiting.
      for (auto const until = std::chrono::steady_clock::now() + backoff; std::chrono::steady_clock::now() < until;) {
        {
          std::lock_guard lock(mutex);
          if (stopping) break;
          if (std::exchange(restart_requested, false)) {
            asked = true;
            break;
          }
        }
        timer.expires_after(std::min<std::chrono::steady_clock::duration>(until - std::chrono::steady_clock::now(),
                                                                          std::chrono::milliseconds(100)));
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      if (asked) failures = 0;
      backoff = asked ? std::chrono::milliseconds(settings.restart_backoff_ms)
                      : std::min(backoff * 2, std::chrono::milliseconds(settings.restart_max_backoff_ms));
      {
        std::lock_guard lock(mutex);
        if (stopping) {
          state = "stopped";
          detail = "the gateway is shutting down";
          supervising = false;
          co_return;
        }
      }
    }
  }
};

Upstream::Upstream(std::string name, config::UpstreamSettings settings, config::ResilienceSettings const& resilience,
                   asio::any_io_executor executor, ops::Metrics* metrics, Observer observer, ClientSessions clients)
    : name_(name), settings_(settings),
      impl_(std::make_shared<Impl>(std::move(name), std::move(settings), resilience, std::move(executor), metrics,
                                   std::move(observer), std::move(clients))) {
  if (metrics) {
    metrics->declare_upstream(name_);
    metrics->breaker_state(impl_->breaker.name(), resilience::CircuitBreaker::State::kClosed);
    impl_->breaker.on_change([metrics, circuit = impl_->breaker.name()](auto from, auto to) {
      metrics->breaker_state(circuit, to);
      logging::write(to == resilience::CircuitBreaker::State::kOpen ? Level::kWarning : Level::kInfo, "gateway",
                     "circuit_breaker",
                     json::object{{"circuit_name", circuit},
                                  {"from", resilience::state_name(from)},
                                  {"to", resilience::state_name(to)}});
    });
    impl_->breaker.on_call([metrics, circuit = impl_->breaker.name()](auto state, std::string_view outcome) {
      metrics->breaker_call(circuit, state, outcome);
    });
  }
}

Upstream::~Upstream() = default;

void Upstream::start() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->supervising = true;
  }
  asio::co_spawn(impl_->executor, impl_->supervise(), logging::LogFailure{"upstream_supervise"});
}

void Upstream::stop(std::chrono::milliseconds grace) {
  std::shared_ptr<Connection> supervised;
  std::vector<std::shared_ptr<Connection>> clients;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
    supervised = impl_->child;
    for (auto const& [session, client] : impl_->clients)
      if (client->connection) clients.push_back(client->connection);
  }
  // The supervised session is this replica's own; clients' remote sessions may live on elsewhere.
  if (supervised) supervised->stop(grace);
  for (auto const& client : clients) impl_->end_client_connection(*client, grace);
  if (impl_->endpoint) impl_->endpoint->close();  // before the workers' io_contexts go
}

bool Upstream::stopped_child() const {
  std::lock_guard lock(impl_->mutex);
  for (auto const& [session, client] : impl_->clients)
    if (client->connection && client->connection->alive()) return false;
  return !impl_->supervising || (impl_->stopping && (!impl_->child || !impl_->child->alive()));
}

UpstreamStatus Upstream::status() const {
  std::lock_guard lock(impl_->mutex);
  return UpstreamStatus{impl_->state, impl_->detail, settings_.required, impl_->clients.size()};
}

json::object Upstream::describe() const {
  std::shared_ptr<Connection> child;
  std::vector<std::pair<std::string, std::shared_ptr<Connection>>> clients;
  json::object described{{"name", name_},
                         {"transport", impl_->remote() ? "http" : "stdio"},
                         {"target", impl_->target()},
                         {"sessions", settings_.sessions},
                         {"required", settings_.required},
                         {"breaker", resilience::state_name(impl_->breaker.state())},
                         {"in_flight", impl_->in_flight.load()}};
  {
    std::lock_guard lock(impl_->mutex);
    described["state"] = impl_->state;
    described["detail"] = impl_->detail;
    described["restarts"] = impl_->restarts;
    if (impl_->state == "ready") described["ready_since_unix_ms"] = impl_->ready_since_unix_ms;
    described["server_info"] = impl_->server_info;
    described["protocol_version"] = impl_->protocol_version;
    if (impl_->last_exit) {
      auto const& [end, at] = *impl_->last_exit;
      json::object exit = end.fields;
      json::array lines;
      for (auto const& line : end.stderr_lines) lines.emplace_back(line);
      exit["stderr_tail"] = std::move(lines);
      exit["description"] = end.description;
      exit["failed"] = end.failed;
      exit["at_unix_ms"] = at;
      described["last_exit"] = std::move(exit);
    }
    child = impl_->child;
    for (auto const& [session, client] : impl_->clients) clients.emplace_back(session.substr(0, 8), client->connection);
  }
  // Asked outside the lock: a connection reports its end to us while holding its own.
  if (child) described["process"] = child->identity();
  json::array children;
  for (auto const& [session, connection] : clients) {
    json::object one{{"session", session}, {"alive", connection && connection->alive()}};
    if (connection)
      for (auto const& [key, value] : connection->identity()) one[key] = value;
    children.push_back(std::move(one));
  }
  described["client_children"] = std::move(children);
  return described;
}

void Upstream::restart(std::string const& why) {
  std::shared_ptr<Connection> child;
  std::vector<std::shared_ptr<Connection>> clients;
  bool supervised = false;
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopping) return;
    supervised = impl_->supervising;
    impl_->restart_requested = supervised;
    impl_->supervising = true;
    child = impl_->child;
    for (auto const& [session, client] : impl_->clients)
      if (client->connection) clients.push_back(client->connection);
  }
  impl_->log(Level::kInfo, "upstream_restart_requested", json::object{{"reason", why}, {"was", status().state}});
  // Client sessions' children are replaced on their sessions' next calls.
  for (auto const& client : clients) impl_->end_client_connection(*client, std::chrono::milliseconds(2000));
  if (!supervised) {
    asio::co_spawn(impl_->executor, impl_->supervise(), logging::LogFailure{"upstream_supervise"});
    return;
  }
  // Its end wakes the supervision, which starts it again (a waiting one wakes by itself).
  if (child) child->stop(std::chrono::milliseconds(2000));
}

namespace {
// The upstream is restarting or not yet ready: another attempt may find it up.
struct Unavailable : RpcError {};
}  // namespace

asio::awaitable<json::object> Upstream::call(std::string method, json::object params, CallHooks const& hooks) {
  auto const impl = impl_;
  if (impl->in_flight.fetch_add(1) >= settings_.max_in_flight) {
    impl->in_flight.fetch_sub(1);
    throw RpcError{rpc::kInternalError, "upstream \"" + name_ + "\" already has " +
                                            std::to_string(settings_.max_in_flight) +
                                            " calls in flight (max_in_flight); retry later"};
  }
  struct Release {
    std::atomic<std::int64_t>& count;
    ~Release() { count.fetch_sub(1); }
  } release{impl->in_flight};
  // Read-only and idempotent calls are tried again (3 attempts, jittered backoff) when the upstream
  // exited or was restarting; a timeout, its own errors and cancellation are final.
  auto attempt = [&]() -> asio::awaitable<json::object> { co_return co_await attempt_call(method, params, hooks); };
  auto transient = [&](std::exception_ptr const& failure) {
    try {
      std::rethrow_exception(failure);
    } catch (TransportFailure const& error) {
      if (!error.retryable) return false;
      impl->log(Level::kWarning, "upstream_call_retried", json::object{{"method", method}, {"reason", error.message}});
      return true;
    } catch (Unavailable const& error) {
      impl->log(Level::kWarning, "upstream_call_retried", json::object{{"method", method}, {"reason", error.message}});
      return true;
    } catch (...) {
      return false;
    }
  };
  try {
    co_return co_await resilience::retry_with_backoff(resilience::RetryPolicy{}, hooks.retryable, attempt, transient);
  } catch (TransportFailure const& failure) {
    throw RpcError{failure.code, "upstream \"" + name_ + "\": " + failure.message, failure.data};
  } catch (Unavailable const& failure) {
    throw RpcError{failure};
  }
}

asio::awaitable<json::object> Upstream::attempt_call(std::string const& method, json::object const& params,
                                                     CallHooks const& hooks) {
  auto const impl = impl_;
  std::shared_ptr<Connection> connection;
  {
    std::lock_guard lock(impl->mutex);
    connection = impl->connection;
    if (!connection)  // per-client too: the catalog and health come from the supervised child
      throw Unavailable{{rpc::kInternalError, "upstream \"" + name_ + "\" is not available (" + impl->state + ": " +
                                                  impl->detail + ")"}};
  }
  if (hooks.legs) hooks.legs->begin();
  if (!impl->breaker.allow()) {
    if (hooks.legs) hooks.legs->end("refused");
    throw RpcError{rpc::kInternalError, "upstream \"" + name_ + "\" is failing: its circuit breaker (upstream:" +
                                            name_ + ") is open, so calls fail fast until a probe succeeds"};
  }
  auto const started = std::chrono::steady_clock::now();
  std::string_view status = "ok";
  auto finish = [&] {
    if (impl->metrics) impl->metrics->observe_upstream(name_, method, status, std::chrono::steady_clock::now() - started);
    if (hooks.legs) hooks.legs->end(status);
  };
  try {
    // Each client session its own child; 2026-07-28 clients (no session) and ping share the supervised one.
    if (impl->per_client() && !hooks.session.empty())
      connection = co_await impl->client_connection(hooks.session, hooks);
    json::object sent = params;  // each attempt sends its own copy
    auto result = co_await connection->request(method, std::move(sent), impl->timeout(), hooks);
    impl->breaker.record_success();
    finish();
    co_return result;
  } catch (TransportFailure const&) {
    status = "failed";
    impl->breaker.record_failure();
    finish();
    throw;
  } catch (RpcError const&) {
    status = "error";  // the server answered: it is alive
    impl->breaker.record_success();
    finish();
    throw;
  } catch (boost::system::system_error const&) {
    status = "cancelled";
    impl->breaker.record_success();
    finish();
    throw;
  }
}

void Upstream::reap(std::function<bool(std::string const& session)> const& session_alive, std::chrono::seconds idle) {
  std::vector<std::pair<std::string, std::shared_ptr<Connection>>> ended;
  auto const now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(impl_->mutex);
    for (auto it = impl_->clients.begin(); it != impl_->clients.end();) {
      auto const& child = it->second;
      bool const gone = !session_alive(it->first);
      if (child->connection && (gone || now - child->last_used > idle || !child->connection->alive())) {
        if (!child->connection->alive()) impl_->forget_remote_session(*child->connection);
        ended.emplace_back(gone                              ? "its session ended"
                           : child->connection->alive()      ? "idle"
                           : impl_->remote()                 ? "its session ended on the server"
                                                             : "its child exited",
                           child->connection);
        it = impl_->clients.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto const& [reason, connection] : ended) {
    impl_->end_client_connection(*connection, std::chrono::seconds(2));
    impl_->log(Level::kInfo, impl_->client_event("ended"), Impl::with(json::object{{"reason", reason}}, connection->identity()));
  }
  if (!ended.empty()) impl_->report_sessions();
}

asio::awaitable<void> Upstream::subscribe(std::string uri) {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->subscriptions.contains(uri)) co_return;
  }
  json::object params{{"uri", uri}};
  co_await call("resources/subscribe", std::move(params), no_hooks());  // no client session: the supervised one
  std::lock_guard lock(impl_->mutex);
  impl_->subscriptions.insert(std::move(uri));
}

asio::awaitable<double> Upstream::ping() {
  auto const started = std::chrono::steady_clock::now();
  co_await call("ping", json::object{}, no_hooks());
  co_return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
}

}  // namespace prodmcp::gateway
