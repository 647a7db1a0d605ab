// prodmcp-server: the production MCP server over Streamable HTTP or stdio, and its config tools.
#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>
#include <optional>

#include "config/address.hpp"
#include "config/key_registry.hpp"
#include "config/loader.hpp"
#include "config/report.hpp"
#include "config/upstream_flags.hpp"
#include "logging/log.hpp"
#include "ops/healthcheck_client.hpp"
#include "runtime/server_runner.hpp"
#include "util/token_hash.hpp"

namespace {

using namespace prodmcp;

// Command-line values that are config keys: they form the highest layer.
struct KeyFlags {
  std::vector<std::string> sets;  // --set section.key=value
  std::optional<std::string> listen, admin_listen, workers, max_request_size, max_sessions;
  std::vector<std::string> allowed_origins;
  std::vector<std::string> upstreams;  // --upstream NAME=COMMAND ARGS... | NAME=URL
  std::string mcp_json;                // --mcp-json FILE
  bool conformance_fixtures = false;

  std::vector<config::FlagSetting> settings() const {
    std::vector<config::FlagSetting> result;
    auto add = [&](std::optional<std::string> const& value, std::string key, std::string flag) {
      if (value) result.push_back({std::move(key), *value, std::move(flag)});
    };
    add(listen, "server.listen", "--listen");
    add(admin_listen, "server.admin_listen", "--admin-listen");
    add(workers, "server.workers", "--workers");
    add(max_request_size, "limits.max_request_size", "--max-request-size");
    add(max_sessions, "server.max_sessions", "--max-sessions");
    if (!allowed_origins.empty()) {
      std::string joined;
      for (auto const& origin : allowed_origins) joined += (joined.empty() ? "" : ",") + origin;
      result.push_back({"server.allowed_origins", joined, "--allowed-origin"});
    }
    if (conformance_fixtures) result.push_back({"server.conformance_fixtures", "true", "--conformance-fixtures"});
    try {
      if (!mcp_json.empty())
        for (auto& setting : config::mcp_json_file(mcp_json)) result.push_back(std::move(setting));
    } catch (std::invalid_argument const& error) {
      throw CLI::ValidationError("--mcp-json", error.what());
    }
    for (auto const& spec : upstreams) {
      try {
        for (auto& setting : config::upstream_flag(spec)) result.push_back(std::move(setting));
      } catch (std::invalid_argument const& error) {
        throw CLI::ValidationError("--upstream", error.what());
      }
    }
    for (auto const& set : sets) {
      auto const equals = set.find('=');
      if (equals == std::string::npos) throw CLI::ValidationError("--set", "expected section.key=value, got " + set);
      result.push_back({set.substr(0, equals), set.substr(equals + 1), "--set"});
    }
    return result;
  }
};

void print_diagnostics(config::LoadedConfig const& loaded) {
  for (auto const& diagnostic : loaded.diagnostics) std::cerr << diagnostic.to_string() << '\n';
}

logging::LogOptions log_options(config::LoggingSettings const& settings, bool stdio) {
  logging::LogOptions options;
  options.level = logging::parse_level(settings.level).value_or(logging::Level::kInfo);
  options.json = settings.format == "json";
  // On stdio, stdout carries the protocol: logs may only go to stderr.
  options.stream = stdio && settings.stream == "stdout" ? "stderr" : settings.stream;
  options.file = settings.file;
  options.file_max_bytes = static_cast<std::size_t>(settings.file_max_bytes);
  options.file_max_files = static_cast<std::size_t>(settings.file_max_files);
  options.queue_size = static_cast<std::size_t>(settings.queue_size);
  return options;
}

int serve(config::ConfigSources const& sources, runtime::RunOptions options) {
  auto const loaded = config::load_config(sources);
  logging::start(log_options(loaded.settings.logging, options.stdio));
  for (auto const& diagnostic : loaded.diagnostics)
    logging::write(diagnostic.is_error() ? logging::Level::kError : logging::Level::kWarning, "config",
                   diagnostic.is_error() ? "config_error" : "config_warning",
                   boost::json::object{{"problem", diagnostic.to_string()}});
  if (!loaded.ok()) {
    logging::write(logging::Level::kCritical, "server", "refusing_to_start",
                   boost::json::object{{"profile", config::profile_name(loaded.profile)},
                                       {"reason", "the configuration has errors (see config_error lines); "
                                                  "`prodmcp-server check-config FILE` lists them"}});
    logging::stop();
    return 2;
  }
  logging::write(logging::Level::kInfo, "server", "starting",
                 boost::json::object{{"version", PRODMCP_VERSION},
                                     {"profile", config::profile_name(loaded.profile)},
                                     {"config_file", sources.file}});
  options.sources = sources;
  int code = 1;
  try {
    code = runtime::run_server(loaded, options);
  } catch (std::exception const& error) {
    logging::write(logging::Level::kCritical, "server", "fatal", boost::json::object{{"error", error.what()}});
  }
  logging::stop();
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  // A peer that went away (a console no longer reading the log pipe, a client that closed stdout,
  // a Redis connection written to after it reset) is an error to handle where it happens, not a
  // signal that ends the process and every request it is serving. hiredis writes with write(2).
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"prodmcp-server: a production MCP server (Streamable HTTP on /mcp, or stdio)"};
  app.require_subcommand(0, 1);
  app.fallthrough();

  config::ConfigSources sources;
  sources.env_names = config::process_env_names();
  KeyFlags keys;
  runtime::RunOptions run;
  std::string profile;
  app.add_option("--config", sources.file, "TOML config file")->envname("PRODMCP_CONFIG");
  app.add_option("--profile", profile, "development, staging or production (default: $ENVIRONMENT or development)");
  app.add_option("--set", keys.sets, "Set any config key: --set section.key=value (repeatable)");
  app.add_option("--listen", keys.listen, "server.listen: address and port of /mcp, e.g. 127.0.0.1:8080, [::1]:0");
  app.add_option("--admin-listen", keys.admin_listen, "server.admin_listen: address and port of /metrics, /health, /ready");
  app.add_option("--workers", keys.workers, "server.workers: worker threads (0: one per core)");
  app.add_option("--max-request-size", keys.max_request_size, "limits.max_request_size: largest request body in bytes");
  app.add_option("--max-sessions", keys.max_sessions, "server.max_sessions: most sessions held at once");
  app.add_option("--allowed-origin", keys.allowed_origins, "server.allowed_origins: a browser origin allowed besides localhost (repeatable)");
  app.add_flag("--conformance-fixtures", keys.conformance_fixtures, "server.conformance_fixtures: serve the conformance suite's fixtures");
  app.add_option("--upstream", keys.upstreams,
                 "Front an MCP server: NAME=COMMAND [ARGS...] starts a stdio server, e.g. "
                 "'notes=python3 notes_server.py' (repeatable; [upstreams.NAME] in the config says more)");
  app.add_option("--mcp-json", keys.mcp_json,
                 "Front every server of an mcpServers JSON file (Claude Desktop, Cursor, VS Code)");
  app.add_flag("--stdio", run.stdio, "Serve MCP over stdin/stdout instead of HTTP");
  app.add_option("--ports-file", run.ports_file, "Write the bound ports as JSON to this file (useful with port 0)");

  app.add_subcommand("serve", "Run the server (the default)");
  std::string check_file;
  auto* check = app.add_subcommand("check-config", "Check a config file: every error with line, column and a fix; "
                                                   "exit 1 when there are errors");
  check->add_option("FILE", check_file, "TOML config file")->required();
  std::string print_format = "toml";
  auto* print = app.add_subcommand("print-config", "Print the effective config, where each value came from, "
                                                   "secrets masked");
  print->add_option("--format", print_format, "toml or json")->check(CLI::IsMember({"toml", "json"}));
  auto* describe = app.add_subcommand("describe-config", "Describe every config key as JSON (type, default, doc, "
                                                         "environment variable)");
  auto* hash = app.add_subcommand("hash-token", "Read a bearer token on stdin; print the sha256:... form that "
                                                "auth.clients stores");
  std::string health_url;
  auto* healthcheck = app.add_subcommand("healthcheck", "Ask a running server's /ready; exit 0 when ready, 1 when "
                                                        "not (for container HEALTHCHECK)");
  healthcheck->add_option("ADMIN_URL", health_url, "Admin endpoint, e.g. http://127.0.0.1:9090 (default: from "
                                                   "server.admin_listen)");
  auto* version = app.add_subcommand("version", "Print the version");
  CLI11_PARSE(app, argc, argv);

  if (*version) {
    std::cout << "prodmcp-server " << PRODMCP_VERSION << '\n';
    return 0;
  }
  if (*describe) {
    std::cout << config::describe_config_json() << '\n';
    return 0;
  }
  if (*hash) {
    std::string token;
    std::getline(std::cin, token);
    if (token.empty()) {
      std::cerr << "hash-token: give the token on standard input, e.g. echo -n \"$TOKEN\" | prodmcp-server hash-token\n";
      return 2;
    }
    std::cout << util::hash_token(token) << '\n';
    return 0;
  }
  if (!profile.empty()) sources.profile = profile;
  try {
    sources.flags = keys.settings();
  } catch (CLI::Error const& error) {
    return app.exit(error);
  }
  if (*healthcheck) {
    if (health_url.empty()) {
      auto const loaded = config::load_config(sources);
      std::string problem;
      auto const admin = config::parse_host_port(loaded.settings.server.admin_listen, problem);
      if (!admin) {
        std::cerr << "healthcheck: no admin endpoint configured (server.admin_listen); give ADMIN_URL\n";
        return 2;
      }
      auto const host = admin->host == "0.0.0.0" ? "127.0.0.1" : admin->host == "::" ? "::1" : admin->host;
      health_url = "http://" + config::format_host_port(host, admin->port);
    }
    auto const result = ops::run_healthcheck(health_url);
    (result.exit_code == 0 ? std::cout : std::cerr) << result.summary << '\n';
    return result.exit_code;
  }
  if (*check) {
    sources.file = check_file;
    auto const loaded = config::load_config(sources);
    print_diagnostics(loaded);
    auto const errors = loaded.errors().size();
    if (errors > 0) {
      std::cerr << check_file << ": " << errors << (errors == 1 ? " error" : " errors") << '\n';
      return 1;
    }
    std::cout << check_file << ": OK (profile " << config::profile_name(loaded.profile) << ")\n";
    return 0;
  }
  if (*print) {
    auto const loaded = config::load_config(sources);
    std::cout << (print_format == "json" ? config::print_config_json(loaded) + "\n" : config::print_config_toml(loaded));
    if (print_format != "json") print_diagnostics(loaded);
    return loaded.ok() ? 0 : 1;
  }
  return serve(sources, run);
}
