// prodmcp-server: the production MCP server over Streamable HTTP or stdio.
#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>

#include "http/http_listener.hpp"
#include "http/mcp_endpoint.hpp"
#include "protocol/engine.hpp"
#include "runtime/worker_pool.hpp"
#include "stdio/stdio_transport.hpp"
#include "tools/builtin_tools.hpp"
#include "tools/conformance_fixtures.hpp"

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace prodmcp;

struct CommandLine {
  std::string listen = "127.0.0.1:8080";
  bool stdio = false;
  std::size_t workers = std::max(1u, std::thread::hardware_concurrency());
  std::size_t max_request_size = 1 << 20;
  std::size_t max_sessions = 100'000;
  std::string ports_file;
  std::vector<std::string> allowed_origins;
  bool conformance_fixtures = false;
};

void log_event(std::string_view level, std::string_view event, json::object fields = {}) {
  fields["level"] = level;
  fields["logger"] = "server";
  fields["event"] = event;
  std::cerr << json::serialize(fields) << '\n';
}

// "127.0.0.1:8080", "[::1]:8080", ":8080" (loopback).
std::pair<std::string, std::uint16_t> split_listen(std::string const& text) {
  auto const colon = text.rfind(':');
  if (colon == std::string::npos) throw CLI::ValidationError("--listen", "expected ADDRESS:PORT, e.g. 127.0.0.1:8080");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "127.0.0.1";
  int const port = std::stoi(text.substr(colon + 1));
  if (port < 0 || port > 65535) throw CLI::ValidationError("--listen", "port must be 0-65535");
  return {host, static_cast<std::uint16_t>(port)};
}

bool is_loopback_address(std::string const& address) {
  return address.starts_with("127.") || address == "::1" || address == "localhost";
}

asio::awaitable<void> expire_sessions(protocol::SessionRegistry& sessions) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(std::chrono::minutes(1));
    co_await timer.async_wait(asio::use_awaitable);
    if (auto expired = sessions.expire_idle(std::chrono::minutes(30)); expired > 0)
      log_event("info", "sessions_expired", json::object{{"count", expired}});
  }
}

int run_server(CommandLine const& options) {
  protocol::Catalog catalog;
  protocol::SessionRegistry sessions(options.max_sessions);
  protocol::EngineOptions engine_options;
  engine_options.identity.version = PRODMCP_VERSION;
  protocol::Engine engine(engine_options, catalog, sessions);
  tools::add_builtin_tools(catalog, [&engine] {
    auto& counters = engine.counters();
    auto const uptime = std::chrono::steady_clock::now() - engine.started();
    return json::object{
        {"version", PRODMCP_VERSION},
        {"uptime_seconds", std::chrono::duration_cast<std::chrono::seconds>(uptime).count()},
        {"sessions", engine.sessions().size()},
        {"requests", counters.requests.load()},
        {"errors", counters.errors.load()},
        {"notifications", counters.notifications.load()}};
  });
  if (options.conformance_fixtures) tools::add_conformance_fixtures(catalog, engine.request_state());

  if (options.stdio) {
    runtime::WorkerPool pool(1);
    std::thread worker([&pool] { pool.run(); });
    stdio::StdioOptions stdio_options;
    stdio_options.max_message_bytes = options.max_request_size;
    int const code = stdio::StdioTransport(engine, pool.main(), stdio_options).run();
    pool.stop();
    worker.join();
    return code;
  }

  auto const [address, port] = split_listen(options.listen);
  runtime::WorkerPool pool(options.workers);
  http::ListenerLimits limits;
  limits.max_body_bytes = options.max_request_size;
  http::Listener listener(pool, limits);
  http::McpEndpointOptions endpoint_options;
  endpoint_options.origins = http::OriginPolicy(is_loopback_address(address), options.allowed_origins);
  http::McpEndpoint endpoint(engine, endpoint_options);
  listener.route("/mcp", endpoint);
  std::uint16_t bound = 0;
  try {
    bound = listener.listen(address, port);
  } catch (std::exception const& error) {
    log_event("error", "listen_failed", json::object{{"address", address}, {"port", port}, {"error", error.what()}});
    return 1;
  }
  if (!options.ports_file.empty()) {
    std::ofstream(options.ports_file + ".tmp") << json::serialize(json::object{{"mcp", bound}}) << '\n';
    std::rename((options.ports_file + ".tmp").c_str(), options.ports_file.c_str());
  }
  log_event("info", "listening",
            json::object{{"url", "http://" + (address.find(':') != std::string::npos ? "[" + address + "]" : address) +
                                     ":" + std::to_string(bound) + "/mcp"},
                         {"workers", pool.size()}});

  asio::signal_set signals(pool.main(), SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    log_event("info", "shutting_down", json::object{{"signal", signal}});
    listener.stop();
    sessions.close_all();
    pool.stop();
  });
  asio::co_spawn(pool.main(), expire_sessions(sessions), asio::detached);
  pool.run();
  log_event("info", "stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"prodmcp-server: a production MCP server (Streamable HTTP on /mcp, or stdio)"};
  CommandLine options;
  app.add_option("--listen", options.listen, "Address and port of the MCP endpoint, e.g. 127.0.0.1:8080 or [::1]:0")
      ->capture_default_str();
  app.add_flag("--stdio", options.stdio, "Serve MCP over stdin/stdout instead of HTTP");
  app.add_option("--workers", options.workers, "Worker threads (one event loop each)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--max-request-size", options.max_request_size, "Largest request body in bytes")
      ->envname("MAX_REQUEST_SIZE")
      ->check(CLI::Range(std::size_t{1024}, std::size_t{1} << 30))
      ->capture_default_str();
  app.add_option("--max-sessions", options.max_sessions, "Most sessions held at once")->capture_default_str();
  app.add_option("--ports-file", options.ports_file, "Write the bound ports as JSON to this file (for port 0)");
  app.add_option("--allowed-origin", options.allowed_origins,
                 "An Origin browsers may call from, besides localhost (repeatable)");
  app.add_flag("--conformance-fixtures", options.conformance_fixtures,
               "Also offer the tools, resources and prompts the official MCP conformance suite calls");
  auto* version = app.add_subcommand("version", "Print the version and exit");
  CLI11_PARSE(app, argc, argv);
  if (*version) {
    std::cout << "prodmcp-server " << PRODMCP_VERSION << '\n';
    return 0;
  }
  try {
    return run_server(options);
  } catch (std::exception const& error) {
    log_event("critical", "fatal", json::object{{"error", error.what()}});
    return 1;
  }
}
