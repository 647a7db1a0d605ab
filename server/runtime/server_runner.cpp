#include "runtime/server_runner.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "cache/memory_cache.hpp"
#include "cache/redis_client.hpp"
#include "cache/tiered_cache.hpp"
#include "config/address.hpp"
#include "config/key_registry.hpp"
#include "config/report.hpp"
#include "gateway/gateway.hpp"
#include "http/http_listener.hpp"
#include "http/mcp_endpoint.hpp"
#include "logging/detached_failure.hpp"
#include "logging/log.hpp"
#include "ops/admin_endpoint.hpp"
#include "ops/metrics.hpp"
#include "ops/probes.hpp"
#include "protocol/engine.hpp"
#include "ratelimit/rate_limiter.hpp"
#include "resilience/breaker_settings.hpp"
#include "resilience/circuit_breaker.hpp"
#include "sessions/redis_session_store.hpp"
#include "runtime/descriptor_limit.hpp"
#include "runtime/request_reporter.hpp"
#include "runtime/worker_pool.hpp"
#include "security/bearer_auth.hpp"
#include "stdio/stdio_transport.hpp"
#include "tools/builtin_tools.hpp"
#include "tools/conformance_fixtures.hpp"

namespace prodmcp::runtime {

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using logging::Level;

void log(Level level, std::string_view event, json::object fields = {}) {
  logging::write(level, "server", event, std::move(fields));
}

std::chrono::milliseconds ms(std::int64_t value) { return std::chrono::milliseconds(value); }

// At shutdown, how long an upstream child has between SIGTERM and SIGKILL.
constexpr std::chrono::milliseconds kUpstreamStopGrace{5000};

http::ListenerLimits listener_limits(config::LimitSettings const& limits) {
  http::ListenerLimits result;
  result.max_body_bytes = static_cast<std::size_t>(limits.max_request_size);
  result.max_header_bytes = static_cast<std::size_t>(limits.max_header_size);
  result.max_connections = static_cast<std::size_t>(limits.max_connections);
  result.header_timeout = ms(limits.header_timeout_ms);
  result.body_timeout = ms(limits.body_timeout_ms);
  result.idle_timeout = ms(limits.idle_timeout_ms);
  result.write_timeout = ms(limits.write_timeout_ms);
  return result;
}

void write_ports_file(std::string const& path, json::object const& ports) {
  if (path.empty()) return;
  // Written whole under a temporary name, so a reader never sees half a file.
  std::ofstream(path + ".tmp") << json::serialize(ports) << '\n';
  std::rename((path + ".tmp").c_str(), path.c_str());
}

// The running server's parts, in the order they are built and the reverse of teardown.
class Service {
 public:
  Service(config::LoadedConfig const& config, RunOptions const& options)
      : profile_(config.profile),
        settings_(config.settings),
        in_force_(std::make_shared<config::Settings const>(config.settings)),
        running_(config),
        options_(options),
        sessions_(static_cast<std::size_t>(settings_.server.max_sessions)),
        engine_(engine_options(), catalog_, sessions_),
        metrics_(PRODMCP_VERSION, metric_sources()),
        reporter_(settings_.server.admin_listen.empty() ? nullptr : &metrics_),  // no admin port: nobody scrapes
        memory_cache_(static_cast<std::size_t>(settings_.cache.memory_max_bytes)) {
    if (settings_.upstreams.empty()) {
      tools::add_builtin_tools(catalog_, [this] { return status(); });
      if (profile_ != config::Profile::kProduction)
        tools::add_crash_tool(catalog_, [this] { return crash_armed_.load(); });
    } else {
      // A gateway offers its upstreams' tools only: a wrapped prototype keeps its own list.
      gateway_ = std::make_unique<gateway::Gateway>(
          settings_, catalog_, &metrics_,
          [this](std::string const& session) { return sessions_.find(session) != nullptr; },
          [this](std::string const& session, std::string method, json::object params, std::string capability) {
            return engine_.ask_session(session, std::move(method), std::move(params), std::move(capability));
          },
          engine_.request_state());
    }
    // Through a gateway the conformance suite tests the upstream's fixtures, not the gateway's.
    if (settings_.server.conformance_fixtures && !gateway_)
      tools::add_conformance_fixtures(catalog_, engine_.request_state());
    metrics_.set_tool_filter([this](std::string_view name) {
      return catalog_.snapshot()->tools_by_name.contains(std::string(name));
    });
    start_redis();
    if (redis_ && settings_.cache.share_sessions) {
      session_store_ = std::make_unique<sessions::RedisSessionStore>(*redis_, redis_breaker_.get());
      sessions_.share(*session_store_, std::chrono::seconds(settings_.server.session_idle_timeout_s));
    }
    result_cache_ = std::make_unique<cache::TieredCache>(
        memory_cache_, redis_.get(), redis_breaker_.get(),
        redis_ ? asio::any_io_executor(redis_io_.get_executor()) : asio::any_io_executor(),
        [this](std::string_view type, bool hit) { metrics_.cache_lookup(type, hit); });
    engine_.set_result_cache(*result_cache_);
    rate_limiter_ = std::make_unique<ratelimit::RateLimiter>(
        shared_limiter_.get(), redis_breaker_.get(), [this](std::string_view client) { metrics_.rate_limited(client); });
    engine_.observe(reporter_);
    add_readiness_checks();
    apply_reloadable(*in_force_.load());
  }

  ~Service() {
    if (gateway_) gateway_->stop(kUpstreamStopGrace);
    if (redis_) {
      redis_->stop();
      redis_work_.reset();
      redis_thread_.join();
    }
  }

  int run() {
    if (gateway_) gateway_->start();
    return options_.stdio ? run_stdio() : run_http();  // each stops the gateway before its workers go
  }

 private:
  protocol::EngineOptions engine_options() const {
    protocol::EngineOptions result;
    result.identity.version = PRODMCP_VERSION;
    return result;
  }

  // The settings a reload may change, pushed into the parts that use them.
  void apply_reloadable(config::Settings const& settings) {
    if (auto const level = logging::parse_level(settings.logging.level)) logging::set_level(*level);
    auth_.configure(settings.auth.enabled, settings.auth.clients);
    protocol::FaultInjection faults;
    faults.enabled = settings.faults.enabled;
    faults.latency = ms(settings.faults.latency_ms);
    faults.error_rate = settings.faults.error_rate;
    engine_.set_faults(faults);
    protocol::CachePolicy cache_policy;
    cache_policy.default_ttl = std::chrono::seconds(settings.cache.ttl_s);
    for (auto const& [tool, ttl] : settings.cache.tool_ttl_s) cache_policy.per_tool[tool] = std::chrono::seconds(ttl);
    engine_.set_cache_policy(std::move(cache_policy));
    ratelimit::RateLimitPolicy rate_policy;
    rate_policy.enabled = settings.rate_limit.enabled;
    rate_policy.per_minute = static_cast<double>(settings.rate_limit.requests_per_minute);
    rate_policy.burst = static_cast<double>(settings.rate_limit.burst > 0 ? settings.rate_limit.burst
                                                                            : settings.rate_limit.requests_per_minute);
    rate_limiter_->configure(rate_policy);
    std::vector<std::string> clients;
    for (auto const& [client, hash] : settings.auth.clients) clients.push_back(client);
    metrics_.set_known_clients(clients);
    sessions_.set_recheck_interval(ms(settings.cache.session_recheck_ms));
    readiness_.set_timeout(ms(settings.health.check_timeout_ms));
    readiness_.set_cache_interval(ms(settings.health.check_cache_ms));
    engine_.set_max_in_flight_per_session(static_cast<std::size_t>(settings.limits.max_in_flight_per_session));
    ops::AdminAccessPolicy admin_policy;
    admin_policy.token_hash = settings.server.admin_token_hash;
    admin_policy.development = profile_ == config::Profile::kDevelopment;
    std::string problem;
    auto const admin_address = config::parse_host_port(settings.server.admin_listen, problem);
    admin_policy.loopback_listener = !admin_address || config::is_loopback_host(admin_address->host);
    admin_policy.allowed_origins = settings.server.allowed_origins;
    admin_access_.configure(std::move(admin_policy));
    redis_required_ = settings.cache.redis_required;
    disk_min_free_mb_ = settings.health.disk_min_free_mb;
    health_interval_s_ = settings.health.check_interval_s;
    if (faults.enabled)
      log(Level::kWarning, "faults_enabled",
          json::object{{"latency_ms", settings.faults.latency_ms}, {"error_rate", settings.faults.error_rate}});
  }

  ops::MetricSources metric_sources() {
    ops::MetricSources sources;
    sources.active_connections = [this] {
      auto const* listener = mcp_listener_.load();
      return listener ? static_cast<std::int64_t>(listener->active_connections()) : 0;
    };
    sources.sessions = [this] { return static_cast<std::int64_t>(sessions_.size()); };
    sources.dropped_log_lines = [] { return logging::dropped_lines(); };
    sources.coroutine_failures = [] { return logging::coroutine_failures(); };
    return sources;
  }

  // Redis on a thread of its own, shared by the cache and the rate limit behind one breaker.
  void start_redis() {
    if (settings_.cache.redis_url.empty()) return;
    cache::RedisOptions redis_options;
    redis_options.url = settings_.cache.redis_url;
    redis_options.connect_timeout = ms(settings_.cache.connect_timeout_ms);
    redis_options.command_timeout = ms(settings_.cache.command_timeout_ms);
    redis_ = std::make_unique<cache::RedisClient>(redis_io_, redis_options);
    auto breaker_options = resilience::breaker_options(settings_.resilience);
    breaker_options.call_timeout = redis_options.command_timeout;
    redis_breaker_ = std::make_unique<resilience::CircuitBreaker>("redis", breaker_options);
    metrics_.breaker_state("redis", resilience::CircuitBreaker::State::kClosed);
    redis_breaker_->on_change([this](auto from, auto to) {
      metrics_.breaker_state("redis", to);
      log(to == resilience::CircuitBreaker::State::kOpen ? Level::kWarning : Level::kInfo, "circuit_breaker",
          json::object{{"circuit_name", "redis"},
                       {"from", resilience::state_name(from)},
                       {"to", resilience::state_name(to)}});
    });
    redis_breaker_->on_call([this](auto state, std::string_view outcome) {
      metrics_.breaker_call("redis", state, outcome);
    });
    shared_limiter_ = std::make_unique<ratelimit::RedisRateLimiter>(*redis_);
    redis_->start();
    redis_thread_ = std::thread([this] { redis_io_.run(); });
    log(Level::kInfo, "redis_configured", json::object{{"address", redis_->address()}});
  }

  void add_readiness_checks() {
    readiness_.add("redis", [this]() -> asio::awaitable<ops::CheckResult> {
      ops::CheckResult result;
      if (!redis_) {
        result.detail = "not configured; the in-memory cache serves (REDIS_URL is empty)";
        co_return result;
      }
      auto const started = std::chrono::steady_clock::now();
      std::vector<std::string> ping{"PING"};
      auto const answer = co_await redis_->command(std::move(ping));
      result.latency_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
      if (answer.ok()) {
        result.detail = "PONG from " + redis_->address();
      } else {
        result.status = redis_required_ ? "unhealthy" : "degraded";
        result.detail = answer.describe() + " (" + redis_->address() + "); the cache serves from memory and rate "
                        "limits are per instance";
      }
      co_return result;
    });
    readiness_.add("mcp_servers", [this]() -> asio::awaitable<ops::CheckResult> {
      if (gateway_) co_return co_await gateway_->check();
      ops::CheckResult result;
      result.detail = "no upstream servers configured";
      co_return result;
    });
    readiness_.add("disk_space", [this]() -> asio::awaitable<ops::CheckResult> {
      co_return ops::disk_space(settings_.health.disk_path, static_cast<std::uint64_t>(disk_min_free_mb_.load()) << 20);
    });
  }

  json::object status() {
    auto& counters = engine_.counters();
    auto const uptime = std::chrono::steady_clock::now() - engine_.started();
    return json::object{{"version", PRODMCP_VERSION},
                        {"uptime_seconds", std::chrono::duration_cast<std::chrono::seconds>(uptime).count()},
                        {"sessions", engine_.sessions().size()},
                        {"requests", counters.requests.load()},
                        {"errors", counters.errors.load()},
                        {"notifications", counters.notifications.load()}};
  }

  int run_stdio() {
    WorkerPool pool(1);
    std::thread worker([&pool] { pool.run(); });
    stdio::StdioOptions stdio_options;
    stdio_options.max_message_bytes = static_cast<std::size_t>(settings_.limits.max_request_size);
    stdio_options.max_json_depth = static_cast<int>(settings_.limits.max_json_depth);
    stdio::StdioTransport transport(engine_, pool.main(), stdio_options);
    int const code = transport.run();
    pool.stop();
    worker.join();
    if (gateway_) gateway_->stop(kUpstreamStopGrace);  // before the worker's io_context goes (see run_http)
    pool.shutdown();  // the frames of requests still queued refer to the transport
    return code;
  }

  int run_http() {
    std::string problem;
    auto const address = config::parse_host_port(settings_.server.listen, problem);  // validated by the loader
    auto const workers = settings_.server.workers > 0 ? static_cast<std::size_t>(settings_.server.workers)
                                                      : std::max(1u, std::thread::hardware_concurrency());
    WorkerPool pool(workers);
    auto limits = listener_limits(settings_.limits);
    auto const descriptors = raise_descriptor_limit(limits.max_connections);
    if (descriptors.max_connections < limits.max_connections)
      log(Level::kWarning, "descriptor_limit",
          json::object{{"limit", descriptors.limit},
                       {"max_connections", limits.max_connections},
                       {"serving", descriptors.max_connections},
                       {"hint", "the MCP port takes " + std::to_string(descriptors.max_connections) +
                                    " connections: raise the hard descriptor limit (ulimit -Hn, LimitNOFILE=) or "
                                    "lower limits.max_connections"}});
    limits.max_connections = descriptors.max_connections;
    limits.max_connections_per_address = static_cast<std::size_t>(settings_.limits.max_connections_per_address);
    for (auto const& proxy : settings_.server.trusted_proxies) limits.unlimited_addresses.push_back(http::canonical_address(proxy));
    http::Listener listener(pool, limits);
    http::McpEndpointOptions endpoint_options;
    endpoint_options.origins =
        http::OriginPolicy(config::is_loopback_host(address->host), settings_.server.allowed_origins);
    endpoint_options.max_json_depth = static_cast<int>(settings_.limits.max_json_depth);
    endpoint_options.auth = &auth_;
    endpoint_options.rate_limiter = rate_limiter_.get();
    endpoint_options.trusted_proxies = settings_.server.trusted_proxies;
    http::McpEndpoint endpoint(engine_, endpoint_options);
    listener.route("/mcp", endpoint);
    listener.observe(reporter_);
    mcp_listener_ = &listener;

    // The admin port: metrics and probes open, the other routes behind admin_access_.
    http::ListenerLimits admin_limits;
    admin_limits.max_body_bytes = 4096;
    admin_limits.max_connections = 256;
    http::Listener admin(pool, admin_limits);
    ops::FaultSwitch fault_switch;
    fault_switch.allowed = profile_ != config::Profile::kProduction;
    fault_switch.get = [this] {
      auto const settings = in_force_.load();
      return ops::FaultSwitch::Faults{settings->faults.latency_ms, settings->faults.error_rate, crash_armed_.load()};
    };
    fault_switch.set = [this](ops::FaultSwitch::Faults faults) {
      std::lock_guard writer(settings_writer_);
      auto next = std::make_shared<config::Settings>(*in_force_.load());
      next->faults.enabled = faults.latency_ms > 0 || faults.error_rate > 0;
      next->faults.latency_ms = faults.latency_ms;
      next->faults.error_rate = faults.error_rate;
      engine_.set_faults({next->faults.enabled, ms(faults.latency_ms), faults.error_rate});
      in_force_.store(std::move(next));
      crash_armed_ = faults.crash_tool;
    };
    ops::UpstreamControl upstream_control;
    if (gateway_) {
      upstream_control.describe = [this] { return gateway_->describe(); };
      upstream_control.restart = [this](std::string const& name, std::string const& why) {
        return gateway_->restart(name, why);
      };
      upstream_control.trace = [this](std::uint64_t after, std::size_t limit) { return gateway_->trace(after, limit); };
    }
    ops::AdminEndpoint admin_endpoint(metrics_, readiness_, admin_access_, std::move(fault_switch),
                                      [this] { return running_config_json(); }, std::move(upstream_control));
    for (auto const* path : {"/metrics", "/health", "/ready", "/logs", "/faults", "/config", "/upstreams", "/upstreams/restart", "/trace"})
      admin.route(path, admin_endpoint);
    std::uint16_t bound = 0;
    try {
      bound = listener.listen(address->host, address->port);
    } catch (std::exception const& error) {
      log(Level::kError, "listen_failed",
          json::object{{"address", settings_.server.listen}, {"error", error.what()},
                       {"hint", "is another process using the port? choose another with --listen"}});
      return 1;
    }
    json::object ports{{"mcp", bound}};
    json::object listening{{"url", "http://" + config::format_host_port(address->host, bound) + "/mcp"},
                           {"workers", pool.size()}};
    if (!settings_.server.admin_listen.empty()) {
      auto const admin_address = config::parse_host_port(settings_.server.admin_listen, problem);
      try {
        auto const admin_bound = admin.listen(admin_address->host, admin_address->port);
        ports["admin"] = admin_bound;
        listening["admin_url"] = "http://" + config::format_host_port(admin_address->host, admin_bound);
      } catch (std::exception const& error) {
        log(Level::kError, "listen_failed",
            json::object{{"address", settings_.server.admin_listen}, {"error", error.what()},
                         {"hint", "choose another admin port with --admin-listen, or turn it off with "
                                  "--admin-listen ''"}});
        return 1;
      }
    }
    write_ports_file(options_.ports_file, ports);
    log(Level::kInfo, "listening", std::move(listening));

    asio::co_spawn(pool.main(), expire_sessions(), logging::LogFailure{"expire_sessions"});
    asio::co_spawn(pool.main(), watch_health(), logging::LogFailure{"watch_health"});
    asio::co_spawn(pool.main(), handle_signals(pool, listener, endpoint, admin_endpoint), logging::LogFailure{"handle_signals"});
    pool.run();
    // Before the workers' io_contexts go: the gateway keeps connections for their calls.
    if (gateway_) gateway_->stop(kUpstreamStopGrace);
    // The frames of connections still open refer to the listeners and endpoints above.
    pool.shutdown();
    mcp_listener_ = nullptr;
    log(Level::kInfo, "stopped");
    return 0;
  }

  asio::awaitable<void> expire_sessions() {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
      timer.expires_after(std::chrono::minutes(1));
      co_await timer.async_wait(asio::use_awaitable);
      auto const idle = std::chrono::seconds(settings_.server.session_idle_timeout_s);
      if (auto expired = sessions_.expire_idle(idle); expired > 0)
        log(Level::kInfo, "sessions_expired", json::object{{"count", expired}});
    }
  }

  // Runs the readiness checks on its own, so metrics and alerts see a dependency fail even when
  // nobody asks /ready, and the log says when a check changes state.
  asio::awaitable<void> watch_health() {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    std::map<std::string, std::pair<std::string, int>> last;  // check -> (status, failures in a row)
    bool was_ready = true;
    for (;;) {
      auto const report = co_await readiness_.evaluate();
      metrics_.set_ready(report.ready);
      if (report.ready != was_ready)
        log(report.ready ? Level::kInfo : Level::kWarning, report.ready ? "server_ready" : "server_not_ready",
            json::object{{"checks", report.body.at("checks")}});
      was_ready = report.ready;
      for (auto const& [name, value] : report.body.at("checks").as_object()) {
        auto const& check = value.as_object();
        std::string const status(check.at("status").as_string());
        auto& [previous, failures] = last[std::string(name)];
        failures = status == "unhealthy" ? failures + 1 : 0;
        metrics_.health_check(name, status, failures);
        if (!previous.empty() && previous != status)
          log(status == "healthy" ? Level::kInfo : Level::kWarning, "health_check_changed",
              json::object{{"check", name}, {"from", previous}, {"to", status}, {"detail", check.at("detail")}});
        previous = status;
      }
      timer.expires_after(std::chrono::seconds(health_interval_s_.load()));
      co_await timer.async_wait(asio::use_awaitable);
    }
  }

  asio::awaitable<void> handle_signals(WorkerPool& pool, http::Listener& listener, http::McpEndpoint& endpoint,
                                       ops::AdminEndpoint const& admin) {
    asio::signal_set signals(co_await asio::this_coro::executor, SIGINT, SIGTERM, SIGHUP);
    for (;;) {
      int const signal = co_await signals.async_wait(asio::use_awaitable);
      if (signal == SIGHUP) {
        reload();
        continue;
      }
      co_await drain(listener, endpoint, admin, signal);
      pool.stop();
      co_return;
    }
  }

  // Stop taking work, let in-flight requests finish within the grace period, then end the rest.
  asio::awaitable<void> drain(http::Listener& listener, http::McpEndpoint& endpoint, ops::AdminEndpoint const& admin,
                              int signal) {
    auto const grace = std::chrono::seconds(settings_.server.shutdown_grace_s);
    auto const drain_delay = ms(settings_.server.drain_delay_ms);
    readiness_.set_draining();  // load balancers stop sending first
    log(Level::kInfo, "shutting_down",
        json::object{{"signal", signal},
                     {"in_flight", endpoint.requests_in_flight()},
                     {"grace_s", grace.count()},
                     {"drain_delay_ms", drain_delay.count()}});
    asio::steady_timer timer(co_await asio::this_coro::executor);
    if (drain_delay.count() > 0) {
      // Requests still arrive until every load balancer has seen /ready fail; serve them.
      timer.expires_after(drain_delay);
      co_await timer.async_wait(asio::use_awaitable);
    }
    listener.begin_drain();
    sessions_.finish_standalone_streams();
    engine_.end_listen_streams();
    auto const deadline = std::chrono::steady_clock::now() + grace;
    // /logs readers get a moment to receive the last lines (they end themselves on draining).
    auto const log_streams_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    auto waiting = [&] {
      auto const now = std::chrono::steady_clock::now();
      return (endpoint.requests_in_flight() > 0 && now < deadline) ||
             (admin.log_streams() > 0 && now < log_streams_deadline);
    };
    while (waiting()) {
      timer.expires_after(std::chrono::milliseconds(20));
      co_await timer.async_wait(asio::use_awaitable);
    }
    if (auto const left = endpoint.requests_in_flight(); left > 0)
      log(Level::kWarning, "drain_timeout", json::object{{"abandoned_requests", left}});
    else
      log(Level::kInfo, "drained");
    sessions_.close_all();
  }

  // SIGHUP: re-read the config. Reloadable keys apply now; others are reported as needing a restart.
  void reload() {
    auto next = config::load_config(options_.sources);
    if (!next.ok()) {
      json::array errors;
      for (auto const& diagnostic : next.errors()) errors.emplace_back(diagnostic.to_string());
      metrics_.config_reload(false);
      log(Level::kError, "config_reload_failed",
          json::object{{"errors", std::move(errors)}, {"kept", "the running configuration"}});
      return;
    }
    json::array applied;
    json::array needs_restart;
    std::lock_guard writer(settings_writer_);
    auto in_force = std::make_shared<config::Settings>(*in_force_.load());
    {
      std::lock_guard lock(running_mutex_);
      restart_required_.clear();
      for (auto const& name : config::changed_keys(*in_force, next.settings)) {
        auto const& spec = *config::find_key(name);
        if (spec.reloadable) {
          spec.set(*in_force, spec.get(next.settings));
          spec.set(running_.settings, spec.get(next.settings));
          running_.origins[name] = next.origins[name];
          applied.emplace_back(name);
        } else {
          restart_required_.push_back(name);
          needs_restart.emplace_back(name);
        }
      }
    }
    in_force_.store(in_force);
    apply_reloadable(*in_force);
    metrics_.config_reload(true);
    log(Level::kInfo, "config_reloaded",
        json::object{{"changed", std::move(applied)}, {"restart_required", std::move(needs_restart)}});
  }

  // print-config's JSON of what is in force, plus the keys a reload read but could not apply.
  std::string running_config_json() {
    std::lock_guard lock(running_mutex_);
    auto body = json::parse(config::print_config_json(running_)).as_object();
    json::array restart_required;
    for (auto const& name : restart_required_) restart_required.emplace_back(name);
    body["restart_required"] = std::move(restart_required);
    return json::serialize(body);
  }

  config::Profile const profile_;
  ops::AdminAccess admin_access_;
  // The settings as the server started: what only a restart changes is read from here.
  config::Settings const settings_;
  // The settings in force, an immutable snapshot: a reload or the admin port's fault switch makes a
  // changed copy and swaps it in (one writer at a time), readers take whichever is current.
  std::atomic<std::shared_ptr<config::Settings const>> in_force_;
  std::mutex settings_writer_;
  std::mutex running_mutex_;  // reloads write running_ on the main thread; /config reads it on a worker
  config::LoadedConfig running_;  // the settings in force and where each came from (not the fault switch)
  std::vector<std::string> restart_required_;
  RunOptions const& options_;
  protocol::Catalog catalog_;
  protocol::SessionRegistry sessions_;
  std::unique_ptr<sessions::RedisSessionStore> session_store_;  // sessions_ keeps them there when set
  protocol::Engine engine_;
  security::BearerAuth auth_;
  ops::Metrics metrics_;
  RequestReporter reporter_;
  ops::Readiness readiness_;
  std::atomic<http::Listener*> mcp_listener_{nullptr};
  std::atomic<bool> redis_required_{false};
  std::atomic<std::int64_t> disk_min_free_mb_{100};
  std::atomic<std::int64_t> health_interval_s_{10};
  std::atomic<bool> crash_armed_{false};  // the admin port's crash_tool switch
  cache::MemoryCache memory_cache_;
  asio::io_context redis_io_;
  asio::executor_work_guard<asio::io_context::executor_type> redis_work_{redis_io_.get_executor()};
  std::thread redis_thread_;
  std::unique_ptr<cache::RedisClient> redis_;
  std::unique_ptr<resilience::CircuitBreaker> redis_breaker_;
  std::unique_ptr<ratelimit::RedisRateLimiter> shared_limiter_;
  std::unique_ptr<cache::TieredCache> result_cache_;
  std::unique_ptr<ratelimit::RateLimiter> rate_limiter_;
  std::unique_ptr<gateway::Gateway> gateway_;  // with [upstreams.*] only
};

}  // namespace

int run_server(config::LoadedConfig const& config, RunOptions const& options) {
  return Service(config, options).run();
}

}  // namespace prodmcp::runtime
