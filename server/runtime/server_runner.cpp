#include "runtime/server_runner.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "config/address.hpp"
#include "config/key_registry.hpp"
#include "http/http_listener.hpp"
#include "http/mcp_endpoint.hpp"
#include "logging/log.hpp"
#include "protocol/engine.hpp"
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
      : settings_(config.settings),
        options_(options),
        sessions_(static_cast<std::size_t>(settings_.server.max_sessions)),
        engine_(engine_options(), catalog_, sessions_) {
    tools::add_builtin_tools(catalog_, [this] { return status(); });
    if (settings_.server.conformance_fixtures) tools::add_conformance_fixtures(catalog_, engine_.request_state());
    engine_.observe(reporter_);
    apply_reloadable();
  }

  int run() { return options_.stdio ? run_stdio() : run_http(); }

 private:
  protocol::EngineOptions engine_options() const {
    protocol::EngineOptions result;
    result.identity.version = PRODMCP_VERSION;
    return result;
  }

  // The settings a reload may change, pushed into the parts that use them.
  void apply_reloadable() {
    if (auto const level = logging::parse_level(settings_.logging.level)) logging::set_level(*level);
    auth_.configure(settings_.auth.enabled, settings_.auth.clients);
    protocol::FaultInjection faults;
    faults.enabled = settings_.faults.enabled;
    faults.latency = ms(settings_.faults.latency_ms);
    faults.error_rate = settings_.faults.error_rate;
    engine_.set_faults(faults);
    if (faults.enabled)
      log(Level::kWarning, "faults_enabled",
          json::object{{"latency_ms", settings_.faults.latency_ms}, {"error_rate", settings_.faults.error_rate}});
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
    int const code = stdio::StdioTransport(engine_, pool.main(), stdio_options).run();
    pool.stop();
    worker.join();
    return code;
  }

  int run_http() {
    std::string problem;
    auto const address = config::parse_host_port(settings_.server.listen, problem);  // validated by the loader
    auto const workers = settings_.server.workers > 0 ? static_cast<std::size_t>(settings_.server.workers)
                                                      : std::max(1u, std::thread::hardware_concurrency());
    WorkerPool pool(workers);
    http::Listener listener(pool, listener_limits(settings_.limits));
    http::McpEndpointOptions endpoint_options;
    endpoint_options.origins =
        http::OriginPolicy(config::is_loopback_host(address->host), settings_.server.allowed_origins);
    endpoint_options.max_json_depth = static_cast<int>(settings_.limits.max_json_depth);
    endpoint_options.auth = &auth_;
    http::McpEndpoint endpoint(engine_, endpoint_options);
    listener.route("/mcp", endpoint);
    listener.observe(reporter_);
    std::uint16_t bound = 0;
    try {
      bound = listener.listen(address->host, address->port);
    } catch (std::exception const& error) {
      log(Level::kError, "listen_failed",
          json::object{{"address", settings_.server.listen}, {"error", error.what()},
                       {"hint", "is another process using the port? choose another with --listen"}});
      return 1;
    }
    write_ports_file(options_.ports_file, json::object{{"mcp", bound}});
    log(Level::kInfo, "listening",
        json::object{{"url", "http://" + config::format_host_port(address->host, bound) + "/mcp"},
                     {"workers", pool.size()}});

    asio::co_spawn(pool.main(), expire_sessions(), asio::detached);
    asio::co_spawn(pool.main(), handle_signals(pool, listener, endpoint), asio::detached);
    pool.run();
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

  asio::awaitable<void> handle_signals(WorkerPool& pool, http::Listener& listener, http::McpEndpoint& endpoint) {
    asio::signal_set signals(co_await asio::this_coro::executor, SIGINT, SIGTERM, SIGHUP);
    for (;;) {
      int const signal = co_await signals.async_wait(asio::use_awaitable);
      if (signal == SIGHUP) {
        reload();
        continue;
      }
      co_await drain(listener, endpoint, signal);
      pool.stop();
      co_return;
    }
  }

  // Stop taking work, let in-flight requests finish within the grace period, then end the rest.
  asio::awaitable<void> drain(http::Listener& listener, http::McpEndpoint& endpoint, int signal) {
    auto const grace = std::chrono::seconds(settings_.server.shutdown_grace_s);
    log(Level::kInfo, "shutting_down",
        json::object{{"signal", signal}, {"in_flight", endpoint.requests_in_flight()}, {"grace_s", grace.count()}});
    listener.begin_drain();
    sessions_.finish_standalone_streams();
    auto const deadline = std::chrono::steady_clock::now() + grace;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (endpoint.requests_in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
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
      ++reload_failures_;
      log(Level::kError, "config_reload_failed",
          json::object{{"errors", std::move(errors)}, {"kept", "the running configuration"}});
      return;
    }
    json::array applied;
    json::array needs_restart;
    for (auto const& name : config::changed_keys(settings_, next.settings)) {
      auto const& spec = *config::find_key(name);
      if (spec.reloadable) {
        spec.set(settings_, spec.get(next.settings));
        applied.emplace_back(name);
      } else {
        needs_restart.emplace_back(name);
      }
    }
    apply_reloadable();
    log(Level::kInfo, "config_reloaded",
        json::object{{"changed", std::move(applied)}, {"restart_required", std::move(needs_restart)}});
  }

  config::Settings settings_;
  RunOptions const& options_;
  protocol::Catalog catalog_;
  protocol::SessionRegistry sessions_;
  protocol::Engine engine_;
  security::BearerAuth auth_;
  RequestReporter reporter_;
  std::uint64_t reload_failures_ = 0;
};

}  // namespace

int run_server(config::LoadedConfig const& config, RunOptions const& options) {
  return Service(config, options).run();
}

}  // namespace prodmcp::runtime
