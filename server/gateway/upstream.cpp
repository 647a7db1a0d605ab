#include "gateway/upstream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <atomic>
#include <mutex>

#include "logging/log.hpp"
#include "ops/metrics.hpp"
#include "resilience/circuit_breaker.hpp"

namespace prodmcp::gateway {

namespace {

namespace rpc = protocol::error_code;
using logging::Level;
using protocol::RpcError;
using ExitSignal = asio::experimental::concurrent_channel<void(boost::system::error_code)>;

constexpr std::size_t kMaxPages = 1000;                  // against a cursor that never advances
constexpr std::size_t kMaxLineBytes = 64 << 20;          // one message from an upstream
constexpr auto kStableRun = std::chrono::seconds(60);    // a run this long ends a crash loop
constexpr auto kInitializeTimeoutCap = std::chrono::seconds(30);

resilience::BreakerOptions breaker_options(config::ResilienceSettings const& r) {
  resilience::BreakerOptions options;
  options.consecutive_failures = static_cast<int>(r.breaker_failures);
  options.window_failures = static_cast<int>(r.breaker_failures);
  options.window = std::chrono::seconds(r.breaker_window_s);
  options.open_for = std::chrono::seconds(r.breaker_open_s);
  options.max_open_multiplier = static_cast<int>(r.breaker_max_open_multiplier);
  options.successes_to_close = static_cast<int>(r.breaker_close_after);
  return options;
}

ChildSpec child_spec(config::UpstreamSettings const& settings) {
  ChildSpec spec;
  spec.command = settings.command;
  spec.args = settings.args;
  spec.env = settings.env;
  spec.cwd = settings.cwd;
  return spec;
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
       asio::any_io_executor executor, ops::Metrics* metrics, Observer observer)
      : name(std::move(name)),
        settings(std::move(settings)),
        executor(std::move(executor)),
        metrics(metrics),
        observer(std::move(observer)),
        breaker("upstream:" + this->name, breaker_options(resilience)) {}

  std::string const name;
  config::UpstreamSettings const settings;
  asio::any_io_executor const executor;
  ops::Metrics* const metrics;
  Observer const observer;
  resilience::CircuitBreaker breaker;
  std::atomic<std::int64_t> in_flight{0};

  mutable std::mutex mutex;
  std::shared_ptr<StdioConnection> connection;  // set while ready
  std::shared_ptr<StdioConnection> child;       // the running child, ready or not
  std::string state = "starting";
  std::string detail = "not started yet";
  bool stopping = false;
  bool supervising = false;

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
    if (metrics) metrics->upstream_state(name, state == "ready", state == "ready" ? 1 : 0);
  }

  asio::awaitable<json::array> list_pages(StdioConnection& upstream, std::string const& method) {
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

  asio::awaitable<Listing> list_everything(StdioConnection& upstream, json::object const& capabilities,
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
    StdioConnection::Events events;
    std::weak_ptr<Impl> weak = self;
    events.stderr_line = [weak](std::string_view line) {
      if (auto impl = weak.lock()) impl->log(Level::kInfo, "upstream_stderr", json::object{{"line", line}});
    };
    events.protocol_problem = [weak](std::string_view problem) {
      if (auto impl = weak.lock()) impl->log(Level::kWarning, "upstream_protocol_error", json::object{{"problem", problem}});
    };
    events.exited = [weak, exit_signal](ChildExit const& exit, std::string const& tail) {
      if (auto impl = weak.lock())
        impl->log(exit.failed() ? Level::kWarning : Level::kInfo, "upstream_exited",
                  json::object{{"exit", exit.describe()}, {"code", exit.code}, {"signal", exit.signal},
                               {"stderr_tail", tail}});
      exit_signal->try_send(exit.failed() ? asio::error::connection_aborted : boost::system::error_code{});
    };
    events.notification = [weak](json::object const& message) {
      if (auto impl = weak.lock()) impl->notification(message);
    };
    auto child_connection = StdioConnection::start(executor, child_spec(settings), kMaxLineBytes, std::move(events));
    {
      std::lock_guard lock(mutex);
      child = child_connection;
    }
    log(Level::kInfo, "upstream_started", json::object{{"pid", child_connection->pid()}, {"command", settings.command}});
    json::object init_params{{"protocolVersion", "2025-11-25"},
                             {"capabilities", json::object{{"roots", json::object{}},
                                                           {"sampling", json::object{}},
                                                           {"elicitation", json::object{}}}},
                             {"clientInfo", json::object{{"name", "prodmcp-gateway"}, {"version", PRODMCP_VERSION}}}};
    auto const init_timeout = std::min<std::chrono::milliseconds>(timeout(), kInitializeTimeoutCap);
    auto result = co_await child_connection->request("initialize", std::move(init_params), init_timeout, no_hooks());
    if (auto const* version = result.if_contains("protocolVersion"); version && version->is_string())
      listing.protocol_version = std::string(version->get_string());
    if (auto const* info = result.if_contains("serverInfo"); info && info->is_object())
      listing.server_info = info->get_object();
    if (auto const* caps = result.if_contains("capabilities"); caps && caps->is_object())
      capabilities = caps->get_object();
    child_connection->notify("notifications/initialized", {});
    listing = co_await list_everything(*child_connection, capabilities, std::move(listing));
    {
      std::lock_guard lock(mutex);
      connection = child_connection;
    }
    co_return exit_signal;
  }

  void notification(json::object const& message) {
    auto const method = message.at("method").get_string();
    if (method.ends_with("/list_changed")) {
      asio::co_spawn(executor, relist(), asio::detached);
    } else if (method == "notifications/resources/updated") {
      auto const* params = message.if_contains("params");
      auto const* uri = params && params->is_object() ? params->get_object().if_contains("uri") : nullptr;
      if (uri && uri->is_string() && observer.resource_updated) observer.resource_updated(std::string(uri->get_string()));
    } else if (method == "notifications/message") {
      log(Level::kInfo, "upstream_log",
          json::object{{"message", message.contains("params") ? message.at("params") : json::value(nullptr)}});
    }
  }

  asio::awaitable<void> relist() {
    auto self = shared_from_this();
    std::shared_ptr<StdioConnection> current;
    {
      std::lock_guard lock(mutex);
      current = connection;
    }
    if (!current) co_return;
    try {
      // Capabilities do not change within a session: list what it has.
      json::object const all{{"tools", json::object{}}, {"resources", json::object{}}, {"prompts", json::object{}}};
      auto listing = co_await list_everything(*current, all, Listing{});
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
      set_state("starting", "starting " + settings.command);
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
        set_state("ready", listing.server_info.contains("name") ? "serving as " +
                                                                      std::string(listing.server_info.at("name").as_string())
                                                                : "serving");
        log(Level::kInfo, "upstream_ready",
            json::object{{"protocol_version", listing.protocol_version},
                         {"tools", listing.tools.size()},
                         {"resources", listing.resources.size()},
                         {"prompts", listing.prompts.size()}});
        if (observer.listed) observer.listed(listing);
        auto [ec] = co_await exit_signal->async_receive(asio::as_tuple(asio::use_awaitable));
        failed = ec == asio::error::connection_aborted;
        failure = failed ? "it exited with a failure" : "it exited";
      } else {
        log(Level::kError, "upstream_start_failed", json::object{{"reason", failure}});
      }
      std::shared_ptr<StdioConnection> ended;
      {
        std::lock_guard lock(mutex);
        connection.reset();
        ended = std::exchange(child, nullptr);
        if (stopping) {
          state = "stopped";
          detail = "the gateway is shutting down";
          supervising = false;
          co_return;
        }
      }
      if (ended) ended->stop(std::chrono::milliseconds(0));  // a child that never became ready
      if (metrics) metrics->upstream_state(name, false, 0);
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
      if (++failures >= settings.crash_loop_limit) {
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
      timer.expires_after(backoff);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      backoff = std::min(backoff * 2, std::chrono::milliseconds(settings.restart_max_backoff_ms));
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
                   asio::any_io_executor executor, ops::Metrics* metrics, Observer observer)
    : name_(name), settings_(settings),
      impl_(std::make_shared<Impl>(std::move(name), std::move(settings), resilience, std::move(executor), metrics,
                                   std::move(observer))) {
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
  asio::co_spawn(impl_->executor, impl_->supervise(), asio::detached);
}

void Upstream::stop(std::chrono::milliseconds grace) {
  std::shared_ptr<StdioConnection> child;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
    child = impl_->child;
  }
  if (child) child->stop(grace);
}

bool Upstream::stopped_child() const {
  std::lock_guard lock(impl_->mutex);
  return !impl_->supervising || (impl_->stopping && (!impl_->child || !impl_->child->alive()));
}

UpstreamStatus Upstream::status() const {
  std::lock_guard lock(impl_->mutex);
  return UpstreamStatus{impl_->state, impl_->detail, settings_.required};
}

asio::awaitable<json::object> Upstream::call(std::string method, json::object params, CallHooks const& hooks) {
  auto const impl = impl_;
  std::shared_ptr<StdioConnection> connection;
  {
    std::lock_guard lock(impl->mutex);
    connection = impl->connection;
    if (!connection)
      throw RpcError{rpc::kInternalError, "upstream \"" + name_ + "\" is not available (" + impl->state + ": " +
                                              impl->detail + ")"};
  }
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
  if (!impl->breaker.allow())
    throw RpcError{rpc::kInternalError, "upstream \"" + name_ + "\" is failing: its circuit breaker (upstream:" +
                                            name_ + ") is open, so calls fail fast until a probe succeeds"};
  auto const started = std::chrono::steady_clock::now();
  std::string_view status = "ok";
  auto finish = [&] {
    if (impl->metrics) impl->metrics->observe_upstream(name_, method, status, std::chrono::steady_clock::now() - started);
  };
  try {
    auto result = co_await connection->request(method, std::move(params), impl->timeout(), hooks);
    impl->breaker.record_success();
    finish();
    co_return result;
  } catch (TransportFailure const& failure) {
    status = "failed";
    impl->breaker.record_failure();
    finish();
    throw RpcError{failure.code, "upstream \"" + name_ + "\": " + failure.message, failure.data};
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

asio::awaitable<double> Upstream::ping() {
  auto const started = std::chrono::steady_clock::now();
  co_await call("ping", json::object{}, no_hooks());
  co_return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
}

}  // namespace prodmcp::gateway
