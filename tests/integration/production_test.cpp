// The production layer seen from outside: config subcommands, refusal of unsafe production
// settings, bearer auth, correlation ids, SIGHUP reload and graceful SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <fstream>
#include <set>
#include <atomic>
#include <thread>

#include "server_under_test.hpp"
#include "util/token_hash.hpp"

namespace json = boost::json;
using namespace prodmcp::testing;

namespace {

class TempFile {
 public:
  explicit TempFile(std::string const& text) {
    char pattern[] = "/tmp/prodmcp-config-XXXXXX.toml";
    int const fd = ::mkstemps(pattern, 5);
    ::close(fd);
    path_ = pattern;
    write(text);
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  void write(std::string const& text) const { std::ofstream(path_, std::ios::trunc) << text; }
  std::string const& path() const { return path_; }

 private:
  std::string path_;
};

std::string const kToken = "prodmcp-test-token-7f3a9c";

std::string call_tool_body(std::string const& name, std::string const& arguments) {
  return R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":")" + name + R"(","arguments":)" +
         arguments + "}}";
}

HeaderList with(HeaderList headers, std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return headers;
}

HeaderList const kJson{{"Content-Type", "application/json"}};

}  // namespace

TEST(ConfigCommands, CheckConfigReportsEveryErrorWithLineColumnAndHint) {
  TempFile file(
      "[server]\n"
      "listen = \"127.0.0.1:99999\"\n"
      "workrs = 4\n"
      "\n"
      "[loging]\n"
      "level = \"debug\"\n"
      "\n"
      "[logging]\n"
      "level = 3\n");
  auto const result = run_server_command({"check-config", file.path()});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  auto const& out = result.output;
  EXPECT_NE(out.find(file.path() + ":2:10: error: server.listen: the port must be a number from 0 to 65535"),
            std::string::npos) << out;
  EXPECT_NE(out.find(file.path() + ":3:10: error: unknown key server.workrs (did you mean server.workers?)"),
            std::string::npos) << out;
  EXPECT_NE(out.find(file.path() + ":5:1: error: unknown section [loging] (did you mean [logging]?)"),
            std::string::npos) << out;
  EXPECT_NE(out.find(file.path() + ":9:9: error: logging.level must be a string, not an integer"), std::string::npos)
      << out;
  EXPECT_NE(out.find("4 errors"), std::string::npos) << out;
}

TEST(ConfigCommands, CheckConfigAcceptsAValidFile) {
  TempFile file("[server]\nlisten = \"127.0.0.1:8181\"\nallowed_origins = [\"https://ops.example.com\"]\n"
                "[limits]\nmax_request_size = 2097152\n");
  auto const result = run_server_command({"check-config", file.path()});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find(": OK (profile development)"), std::string::npos) << result.output;
}

TEST(ConfigCommands, CheckConfigReportsSyntaxErrorsWithPosition) {
  TempFile file("[server]\nlisten = \"127.0.0.1:8181\n");
  auto const result = run_server_command({"check-config", file.path()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find(file.path() + ":2:"), std::string::npos) << result.output;
}

TEST(ConfigCommands, PrintConfigShowsEachValuesOriginAndMasksSecrets) {
  auto const hash = prodmcp::util::hash_token(kToken);
  TempFile file("[server]\nmax_sessions = 500\n[auth]\nenabled = true\nclients = { console = \"" + hash + "\" }\n");
  auto const result = run_server_command(
      {"print-config", "--config", file.path(), "--set", "logging.level=error", "--profile", "staging"},
      {{"PRODMCP_SERVER_WORKERS", "3"}, {"MAX_REQUEST_SIZE", "65536"}});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto const& out = result.output;
  EXPECT_NE(out.find("# profile: staging (flag --profile)"), std::string::npos) << out;
  EXPECT_NE(out.find("max_sessions = 500"), std::string::npos) << out;
  EXPECT_NE(out.find("# file " + file.path() + ":2"), std::string::npos) << out;
  EXPECT_NE(out.find("workers = 3"), std::string::npos) << out;
  EXPECT_NE(out.find("# environment PRODMCP_SERVER_WORKERS"), std::string::npos) << out;
  EXPECT_NE(out.find("max_request_size = 65536"), std::string::npos) << out;
  EXPECT_NE(out.find("# environment MAX_REQUEST_SIZE"), std::string::npos) << out;
  EXPECT_NE(out.find("level = \"error\""), std::string::npos) << out;
  EXPECT_NE(out.find("# flag --set"), std::string::npos) << out;
  EXPECT_NE(out.find("clients = { \"console\" = \"****\" }"), std::string::npos) << out;
  EXPECT_EQ(out.find(hash.substr(7)), std::string::npos) << "the token hash must not be printed";

  auto const as_json = run_server_command({"print-config", "--format", "json", "--config", file.path()});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.output;
  auto const document = json::parse(as_json.output).as_object();
  bool found = false;
  for (auto const& key : document.at("keys").as_array())
    if (key.at("key") == "server.max_sessions") {
      found = true;
      EXPECT_EQ(key.at("value").as_int64(), 500);
      EXPECT_EQ(key.at("origin").as_string(), "file " + file.path() + ":2");
    }
  EXPECT_TRUE(found);
}

TEST(ConfigCommands, DescribeConfigDescribesEveryKeyForTheEditor) {
  auto const result = run_server_command({"describe-config"});
  ASSERT_EQ(result.exit_code, 0) << result.output;
  auto const document = json::parse(result.output).as_object();
  std::set<std::string> env_names;
  std::size_t count = 0;
  for (auto const& value : document.at("keys").as_array()) {
    auto const& key = value.as_object();
    ++count;
    for (auto const* field : {"key", "section", "type", "default", "doc", "env", "secret", "reloadable"})
      EXPECT_TRUE(key.contains(field)) << key.at("key") << " lacks " << field;
    EXPECT_FALSE(key.at("doc").as_string().empty());
    EXPECT_TRUE(env_names.insert(std::string(key.at("env").as_string())).second) << "duplicate " << key.at("env");
  }
  EXPECT_GE(count, 25u);
  // An [upstreams.NAME] table's keys, with their defaults.
  std::set<std::string> upstream_keys;
  for (auto const& value : document.at("upstream_keys").as_array()) {
    upstream_keys.insert(std::string(value.at("key").as_string()));
    EXPECT_FALSE(value.at("doc").as_string().empty());
  }
  EXPECT_TRUE(upstream_keys.contains("upstreams.NAME.command"));
  EXPECT_TRUE(upstream_keys.contains("upstreams.NAME.sessions"));
  EXPECT_TRUE(env_names.contains("MAX_REQUEST_SIZE"));
  EXPECT_TRUE(env_names.contains("PRODMCP_SERVER_LISTEN"));
}

TEST(ConfigCommands, MisspeltEnvironmentVariableIsReportedWithSuggestion) {
  auto const result = run_server_command({"print-config"}, {{"PRODMCP_SERVER_WORKRS", "2"}});
  EXPECT_NE(result.output.find("PRODMCP_SERVER_WORKRS is not a config variable and is ignored (did you mean "
                               "PRODMCP_SERVER_WORKERS?)"),
            std::string::npos)
      << result.output;
}

TEST(ProductionProfile, RefusesToServeBeyondLoopbackWithoutAuth) {
  auto const result =
      run_server_command({"--profile", "production", "--listen", "0.0.0.0:0", "--set", "auth.enabled=false"});
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("without authentication"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("refusing_to_start"), std::string::npos) << result.output;
}

TEST(ProductionProfile, RefusesFaultInjection) {
  auto const hash = prodmcp::util::hash_token(kToken);
  auto const result = run_server_command({"--set", "faults.enabled=true", "--set", "auth.clients=console=" + hash},
                                         {{"ENVIRONMENT", "production"}});
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("fault injection is enabled"), std::string::npos) << result.output;
}

TEST(ProductionProfile, AcceptsSafeSettings) {
  TempFile file("[server]\nlisten = \"0.0.0.0:8080\"\n[auth]\nclients = { console = \"" +
                prodmcp::util::hash_token(kToken) + "\" }\n");
  auto const result = run_server_command({"check-config", file.path(), "--profile", "production"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("OK (profile production)"), std::string::npos) << result.output;
}

TEST(BearerAuth, RefusesMissingAndWrongTokensAndNamesTheClient) {
  ServerUnderTest server(ServerLaunch{
      {"--set", "auth.enabled=true", "--set", "auth.clients=console=" + prodmcp::util::hash_token(kToken)}, {}});
  std::string const init =
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";

  auto const missing = http_request(server.port(), "POST", "/mcp", mcp_headers(), init);
  EXPECT_EQ(missing.status, 401);
  EXPECT_EQ(missing.header("www-authenticate"), "Bearer realm=\"prodmcp\"");
  EXPECT_EQ(json::parse(missing.body).at("error").at("code").as_int64(), -32011);

  auto const wrong = http_request(server.port(), "POST", "/mcp", with(mcp_headers(), "Authorization", "Bearer nope"),
                                  init);
  EXPECT_EQ(wrong.status, 401);
  EXPECT_NE(wrong.header("www-authenticate").find("error=\"invalid_token\""), std::string::npos);

  auto const basic = http_request(server.port(), "POST", "/mcp",
                                  with(mcp_headers(), "Authorization", "Basic " + kToken), init);
  EXPECT_EQ(basic.status, 401);

  auto const right = http_request(server.port(), "POST", "/mcp",
                                  with(mcp_headers(), "Authorization", "Bearer " + kToken), init);
  EXPECT_EQ(right.status, 200) << right.body;
  EXPECT_FALSE(right.header("mcp-session-id").empty());

  ASSERT_TRUE(server.wait_for_log(R"("client_id":"console")"));
  EXPECT_EQ(server.log().find(kToken), std::string::npos) << "a token reached the log";
}

TEST(CorrelationIds, AreEchoedInHeaderErrorDataAndLog) {
  ServerUnderTest server;
  auto const session = initialize_session(server.port());
  auto headers = with(mcp_headers(session), "X-Correlation-ID", "order-4711");
  auto const reply = http_request(server.port(), "POST", "/mcp", headers, call_tool_body("no_such_tool", "{}"));
  EXPECT_EQ(reply.header("x-correlation-id"), "order-4711");
  auto const body = json::parse(reply.body);
  EXPECT_EQ(body.at("error").at("data").at("correlation_id").as_string(), "order-4711") << reply.body;
  EXPECT_TRUE(server.wait_for_log(R"("correlation_id":"order-4711","method":"tools/call","tool":"no_such_tool")"))
      << server.log();

  // A W3C traceparent gives its trace id; a hostile id is replaced by a generated one.
  auto const traced = http_request(
      server.port(), "POST", "/mcp",
      with(mcp_headers(session), "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
      R"({"jsonrpc":"2.0","id":2,"method":"ping"})");
  EXPECT_EQ(traced.header("x-correlation-id"), "4bf92f3577b34da6a3ce929d0e0e4736");
  auto const hostile = http_request(server.port(), "POST", "/mcp",
                                    with(mcp_headers(session), "X-Request-ID", "a\"b{injection}"),
                                    R"({"jsonrpc":"2.0","id":3,"method":"ping"})");
  EXPECT_EQ(hostile.header("x-correlation-id").size(), 32u);

  // Rejected before the engine (415): still correlated.
  auto const rejected = http_request(server.port(), "POST", "/mcp",
                                     {{"Content-Type", "text/plain"}, {"X-Request-ID", "bad-type-1"}}, "x");
  EXPECT_EQ(rejected.status, 415);
  EXPECT_EQ(json::parse(rejected.body).at("error").at("data").at("correlation_id").as_string(), "bad-type-1");
  EXPECT_TRUE(server.wait_for_log(R"("event":"request_rejected","correlation_id":"bad-type-1")")) << server.log();
}

TEST(Reload, SighupAppliesAValidFileAndKeepsTheOldOneWhenInvalid) {
  TempFile file("[logging]\nlevel = \"info\"\n");
  ServerUnderTest server(ServerLaunch{{"--config", file.path()}, {}});
  auto const session = initialize_session(server.port());

  file.write("[logging]\nlevel = \"info\"\n[faults]\nenabled = true\nerror_rate = 1.0\n[server]\nmax_sessions = 9\n");
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_log("config_reloaded")) << server.log();
  auto const log = server.log();
  auto const line = log.substr(log.find("config_reloaded"));
  EXPECT_NE(line.find(R"("changed":["faults.enabled","faults.error_rate"])"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("restart_required":["server.max_sessions"])"), std::string::npos) << line;
  auto const failed = http_request(server.port(), "POST", "/mcp", mcp_headers(session),
                                   call_tool_body("echo", R"({"message":"hi"})"));
  EXPECT_NE(failed.body.find("injected fault"), std::string::npos) << failed.body;

  file.write("[faults]\nenabled = \"yes please\"\n");
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_log("config_reload_failed")) << server.log();
  EXPECT_NE(server.log().find("faults.enabled must be a boolean"), std::string::npos);
  // The old config (faults on) is still in force, and the server still serves.
  auto const still = http_request(server.port(), "POST", "/mcp", mcp_headers(session),
                                  call_tool_body("echo", R"({"message":"hi"})"));
  EXPECT_EQ(still.status, 200);
  EXPECT_NE(still.body.find("injected fault"), std::string::npos) << still.body;
}

// GET /config on the admin port: the settings in force with their origins, secrets masked; a reload
// updates what it applied and lists what waits for a restart.
TEST(AdminEndpoint, ShowsTheRunningConfigAndFollowsReloads) {
  TempFile file("[logging]\nlevel = \"info\"\n[auth]\nclients = { ops = \"sha256:cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd\" }\n");
  ServerUnderTest server(ServerLaunch{{"--config", file.path(), "--set", "server.admin_listen=127.0.0.1:0"}, {}});
  auto value_of = [&](std::string const& key) {
    auto const response = http_request(server.admin_port(), "GET", "/config", {}, "");
    EXPECT_EQ(response.status, 200);
    auto const body = json::parse(response.body).as_object();
    for (auto const& item : body.at("keys").as_array())
      if (item.at("key").as_string() == key) return std::pair(item.at("value"), std::string(item.at("origin").as_string()));
    ADD_FAILURE() << "no " << key << " in " << response.body;
    return std::pair(json::value(), std::string());
  };
  EXPECT_EQ(value_of("logging.level").first, "info");
  EXPECT_EQ(value_of("logging.level").second, "file " + file.path() + ":2");
  EXPECT_EQ(value_of("server.admin_listen").second, "flag --set");
  EXPECT_EQ(value_of("auth.clients").first.at("ops"), "****") << "secrets are masked";

  file.write("[logging]\nlevel = \"debug\"\n[server]\nmax_sessions = 9\n");
  server.signal(SIGHUP);
  ASSERT_TRUE(server.wait_for_log("config_reloaded")) << server.log();
  EXPECT_EQ(value_of("logging.level").first, "debug");
  EXPECT_NE(value_of("server.max_sessions").first, 9) << "not reloadable: still the running value";
  auto const body = json::parse(http_request(server.admin_port(), "GET", "/config", {}, "").body).as_object();
  EXPECT_EQ(body.at("restart_required"), json::array({"server.max_sessions"}));
  EXPECT_EQ(http_request(server.admin_port(), "POST", "/config", {}, "").status, 405);
}

TEST(AdminEndpoint, ServesHealthReadinessAndMetrics) {
  ServerUnderTest server(ServerLaunch{{"--set", "server.admin_listen=127.0.0.1:0"}, {}});
  ASSERT_NE(server.admin_port(), 0);
  auto const health = http_request(server.admin_port(), "GET", "/health", {}, "");
  EXPECT_EQ(health.status, 200);
  auto const health_body = json::parse(health.body).as_object();
  EXPECT_EQ(health_body.at("status"), "healthy");
  EXPECT_EQ(health_body.at("timestamp").as_string().size(), std::string("2026-11-25T07:00:00.123456Z").size());

  auto const ready = http_request(server.admin_port(), "GET", "/ready", {}, "");
  EXPECT_EQ(ready.status, 200) << ready.body;
  auto const ready_body = json::parse(ready.body).as_object();
  EXPECT_EQ(ready_body.at("status"), "ready");
  for (auto const* check : {"redis", "mcp_servers", "disk_space"}) {
    auto const& result = ready_body.at("checks").at(check).as_object();
    EXPECT_EQ(result.at("status"), "healthy") << check;
    EXPECT_FALSE(result.at("detail").as_string().empty()) << check;
    EXPECT_TRUE(result.at("latency_ms").is_number()) << check;
  }

  initialize_session(server.port());
  auto const metrics = http_request(server.admin_port(), "GET", "/metrics", {}, "");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics.body.find(R"(mcp_requests_total{client_id="anonymous",method="initialize",status="ok",)"
                              R"(version="2025-11-25"} 1)"),
            std::string::npos)
      << metrics.body;
  EXPECT_EQ(http_request(server.admin_port(), "POST", "/metrics", {}, "").status, 405);
  EXPECT_EQ(http_request(server.admin_port(), "GET", "/mcp", {}, "").status, 404) << "no MCP on the admin port";

  auto const url = "http://127.0.0.1:" + std::to_string(server.admin_port());
  auto const check = run_server_command({"healthcheck", url});
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_NE(check.output.find("ready"), std::string::npos);
  server.signal(SIGTERM);
  ASSERT_EQ(server.wait_exit(std::chrono::seconds(5)), 0);
  auto const gone = run_server_command({"healthcheck", url});
  EXPECT_EQ(gone.exit_code, 1) << gone.output;
}

// The server runs its readiness checks by itself, so a dead dependency shows in the metrics (and
// the alert rules built on them) without anyone calling /ready.
TEST(AdminEndpoint, PeriodicHealthChecksFeedMetricsAndLogs) {
  ServerUnderTest server(ServerLaunch{{"--set", "server.admin_listen=127.0.0.1:0", "--set",
                                       "cache.redis_url=redis://127.0.0.1:1", "--set", "cache.redis_required=true",
                                       "--set", "cache.connect_timeout_ms=100", "--set", "health.check_interval_s=1"},
                                      {}});
  ASSERT_NE(server.admin_port(), 0);
  std::string metrics;
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    metrics = http_request(server.admin_port(), "GET", "/metrics", {}, "").body;
    if (metrics.find("mcp_health_check_consecutive_failures{check=\"redis\"} 3") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_NE(metrics.find("mcp_health_check_consecutive_failures{check=\"redis\"} 3"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("mcp_health_check_status{check=\"redis\"} 0"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("mcp_health_check_status{check=\"disk_space\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("mcp_ready 0"), std::string::npos) << metrics;
  EXPECT_TRUE(server.wait_for_log("server_not_ready", std::chrono::seconds(5))) << server.log();
}

// /logs: what an attached console reads: a replay of recent lines, then new lines as they come,
// ended by the server's drain.
TEST(AdminEndpoint, StreamsTheLogWithAReplay) {
  ServerUnderTest server(ServerLaunch{{"--set", "server.admin_listen=127.0.0.1:0"}, {}});
  ASSERT_NE(server.admin_port(), 0);
  ASSERT_TRUE(server.wait_for_log(R"("event":"listening")"));  // written out in the log's next batch
  auto const replay = http_request(server.admin_port(), "GET", "/logs?follow=0&replay=50", {}, "");
  EXPECT_EQ(replay.status, 200);
  EXPECT_EQ(replay.header("content-type"), "application/x-ndjson; charset=utf-8");
  EXPECT_NE(replay.body.find(R"("event":"listening")"), std::string::npos) << replay.body;
  auto const last = replay.body.find_last_of('\n', replay.body.size() - 2);
  EXPECT_EQ(json::parse(replay.body.substr(last + 1)).as_object().at("logger").is_string(), true);
  EXPECT_EQ(http_request(server.admin_port(), "GET", "/logs?replay=-1", {}, "").status, 400);
  EXPECT_EQ(http_request(server.admin_port(), "GET", "/logs?follow=maybe", {}, "").status, 400);

  // Follow: a request refused at the HTTP level is logged and reaches the open stream; SIGTERM
  // (drain) ends the stream cleanly.
  RawConnection follower(server.admin_port());
  ASSERT_TRUE(follower.send("GET /logs?replay=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  std::string followed;
  ASSERT_TRUE(read_until(follower.fd(), followed, "\r\n\r\n")) << "no stream headers: " << followed;
  // Refused requests until one shows on the stream (the stream may start after the first).
  ASSERT_TRUE(wait_until(
      [&] {
        http_request(server.port(), "POST", "/mcp", {{"Content-Type", "application/json"}}, "{broken");
        return read_until(follower.fd(), followed, R"("event":"request_rejected")", std::chrono::milliseconds(500));
      },
      std::chrono::seconds(20)))
      << followed;
  server.signal(SIGTERM);
  EXPECT_TRUE(read_until(follower.fd(), followed, "\r\n0\r\n\r\n")) << "the stream did not end: " << followed;
  EXPECT_EQ(followed.find(R"("event":"listening")"), std::string::npos) << "replay=0 replays nothing";
  EXPECT_EQ(server.wait_exit(std::chrono::seconds(10)), 0);
}

// /faults: the demo switches. Outside production they change what calls do at once; in production
// they are refused.
TEST(AdminEndpoint, FaultSwitchesWorkOutsideProductionOnly) {
  ServerUnderTest server(ServerLaunch{{"--set", "server.admin_listen=127.0.0.1:0"}, {}});
  auto const admin = server.admin_port();
  ASSERT_NE(admin, 0);
  EXPECT_EQ(json::parse(http_request(admin, "GET", "/faults", {}, "").body).at("enabled"), false);
  auto const set = http_request(admin, "PUT", "/faults", {{"Content-Type", "application/json"}}, R"({"error_rate":1})");
  EXPECT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(json::parse(set.body).at("enabled"), true);
  EXPECT_TRUE(server.wait_for_log("faults_changed"));
  // Every tool call now fails on purpose, and says so.
  auto const session = initialize_session(server.port());
  auto const failed = http_request(server.port(), "POST", "/mcp", mcp_headers(session), call_tool_body("echo", R"({"message":"x"})"));
  EXPECT_NE(failed.body.find("injected fault"), std::string::npos) << failed.body;
  EXPECT_EQ(http_request(admin, "PUT", "/faults", kJson, R"({"error_rate":2})").status, 400);
  EXPECT_EQ(http_request(admin, "PUT", "/faults", kJson, R"({"latency_ms":"slow"})").status, 400);
  EXPECT_EQ(http_request(admin, "PUT", "/faults", kJson, "not json").status, 400);
  EXPECT_EQ(http_request(admin, "DELETE", "/faults", {}, "").status, 405);
  EXPECT_EQ(http_request(admin, "PUT", "/faults", kJson, R"({"error_rate":0})").status, 200);
  auto const fine = http_request(server.port(), "POST", "/mcp", mcp_headers(session), call_tool_body("echo", R"({"message":"x"})"));
  EXPECT_EQ(fine.body.find("injected fault"), std::string::npos) << fine.body;

  TempFile file("[auth]\nclients = { console = \"" + prodmcp::util::hash_token(kToken) + "\" }\n");
  ServerUnderTest production(
      ServerLaunch{{"--config", file.path(), "--profile", "production", "--set", "server.admin_listen=127.0.0.1:0",
                    "--set", "server.conformance_fixtures=false", "--set",
                    "server.admin_token_hash=" + prodmcp::util::hash_token(kToken)},
                   {}});
  ASSERT_NE(production.admin_port(), 0) << production.log();
  auto const admin_token = with(kJson, "Authorization", "Bearer " + kToken);
  EXPECT_EQ(json::parse(http_request(production.admin_port(), "GET", "/faults", admin_token, "").body).at("allowed"),
            false);
  auto const refused = http_request(production.admin_port(), "PUT", "/faults", admin_token, R"({"latency_ms":100})");
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.find("production"), std::string::npos);
}

// /logs, /config and /faults: open from loopback in the development profile, behind the admin
// token otherwise; never for a web page (Origin) or through a rebound DNS name (Host).
TEST(AdminEndpoint, ProtectedRoutesNeedTheAdminTokenOutsideDevelopmentLoopback) {
  ServerUnderTest development(ServerLaunch{{"--set", "server.admin_listen=127.0.0.1:0"}, {}});
  auto const dev = development.admin_port();
  for (auto const* path : {"/logs?follow=0", "/config", "/faults"})
    EXPECT_EQ(http_request(dev, "GET", path, {}, "").status, 200) << path;
  auto const from_page = http_request(dev, "PUT", "/faults", with(kJson, "Origin", "http://evil.example"),
                                      R"({"error_rate":1})");
  EXPECT_EQ(from_page.status, 403);
  EXPECT_NE(from_page.body.find("web pages"), std::string::npos) << from_page.body;
  RawConnection rebound(dev);  // a page of evil.example whose name now resolves to 127.0.0.1
  ASSERT_TRUE(rebound.send("GET /config HTTP/1.1\r\nHost: evil.example:9090\r\n\r\n"));
  std::string answer;
  EXPECT_TRUE(read_until(rebound.fd(), answer, "\r\n\r\n"));
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 403")) << answer;
  auto const form = http_request(dev, "PUT", "/faults", {{"Content-Type", "text/plain"}}, R"({"error_rate":1})");
  EXPECT_EQ(form.status, 415) << form.body;
  EXPECT_EQ(json::parse(http_request(dev, "GET", "/faults", {}, "").body).at("enabled"), false)
      << "nothing refused changed a fault";

  TempFile file("[auth]\nclients = { console = \"" + prodmcp::util::hash_token(kToken) + "\" }\n");
  ServerUnderTest production(ServerLaunch{{"--config", file.path(), "--profile", "production", "--set",
                                           "server.admin_listen=127.0.0.1:0", "--set", "server.conformance_fixtures=false",
                                           "--set", "server.admin_token_hash=" + prodmcp::util::hash_token(kToken)},
                                          {}});
  auto const admin = production.admin_port();
  ASSERT_NE(admin, 0) << production.log();
  for (auto const* path : {"/metrics", "/health", "/ready"}) EXPECT_EQ(http_request(admin, "GET", path, {}, "").status, 200) << path;
  for (auto const* path : {"/logs?follow=0", "/config", "/faults"}) {
    auto const anonymous = http_request(admin, "GET", path, {}, "");
    EXPECT_EQ(anonymous.status, 401) << path;
    EXPECT_EQ(anonymous.header("WWW-Authenticate"), R"(Bearer realm="prodmcp-admin")") << path;
    EXPECT_EQ(http_request(admin, "GET", path, {{"Authorization", "Bearer wrong"}}, "").status, 401) << path;
    EXPECT_EQ(http_request(admin, "GET", path, {{"Authorization", "Bearer " + kToken}}, "").status, 200) << path;
  }

  // Staging without a token: refused, with what to do about it.
  ServerUnderTest staging(ServerLaunch{{"--profile", "staging", "--set", "server.admin_listen=127.0.0.1:0"}, {}});
  auto const refused = http_request(staging.admin_port(), "GET", "/config", {}, "");
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.find("server.admin_token_hash"), std::string::npos) << refused.body;
}

TEST(ConfigCommands, ProductionRefusesAnAdminPortBeyondLoopbackWithoutAToken) {
  TempFile file("[server]\nadmin_listen = \"0.0.0.0:9090\"\n[auth]\nenabled = true\nclients = { console = \"" +
                prodmcp::util::hash_token(kToken) + "\" }\n");
  auto const refused = run_server_command({"check-config", file.path(), "--profile", "production"});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("server.admin_token_hash"), std::string::npos) << refused.output;
  auto const accepted = run_server_command({"check-config", file.path(), "--profile", "production"},
                                           {{"PRODMCP_SERVER_ADMIN_TOKEN_HASH", prodmcp::util::hash_token(kToken)}});
  EXPECT_EQ(accepted.exit_code, 0) << accepted.output;
  auto const development = run_server_command({"check-config", file.path()});
  EXPECT_EQ(development.exit_code, 0) << development.output;
  EXPECT_NE(development.output.find("server.admin_token_hash"), std::string::npos) << "a warning outside production";
}

// simulate_crash refuses until armed on the admin port, then ends the process by SIGABRT; the
// production profile does not offer it.
TEST(AdminEndpoint, TheCrashingToolCrashesOnlyWhenArmed) {
  ServerUnderTest server(ServerLaunch{{"--set", "server.admin_listen=127.0.0.1:0"}, {}});
  auto const admin = server.admin_port();
  auto const session = initialize_session(server.port());
  auto const refused = http_request(server.port(), "POST", "/mcp", mcp_headers(session), call_tool_body("simulate_crash", "{}"));
  EXPECT_NE(refused.body.find("not armed"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find(R"("isError":true)"), std::string::npos) << refused.body;
  EXPECT_EQ(http_request(admin, "PUT", "/faults", kJson, R"({"crash_tool":"yes"})").status, 400);
  auto const armed = http_request(admin, "PUT", "/faults", kJson, R"({"crash_tool":true})");
  ASSERT_EQ(armed.status, 200) << armed.body;
  EXPECT_EQ(json::parse(armed.body).at("crash_tool"), true);
  // The process dies mid-request: the connection closes with no reply.
  EXPECT_ANY_THROW(http_request(server.port(), "POST", "/mcp", mcp_headers(session),
                                call_tool_body("simulate_crash", "{}"), std::chrono::seconds(3)));
  EXPECT_EQ(server.wait_exit(std::chrono::seconds(5)), 128 + SIGABRT);
  EXPECT_NE(server.log().find("simulated_crash"), std::string::npos) << server.log();

  TempFile file("[auth]\nclients = { console = \"" + prodmcp::util::hash_token(kToken) + "\" }\n");
  ServerUnderTest production(ServerLaunch{{"--config", file.path(), "--profile", "production",
                                           "--set", "server.conformance_fixtures=false"}, {}});
  std::string const init =
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";
  auto const started = http_request(production.port(), "POST", "/mcp",
                                    with(mcp_headers(), "Authorization", "Bearer " + kToken), init);
  ASSERT_EQ(started.status, 200) << started.body << production.log();
  auto const listed = http_request(production.port(), "POST", "/mcp",
                                   with(mcp_headers(started.header("mcp-session-id")), "Authorization", "Bearer " + kToken),
                                   R"({"jsonrpc":"2.0","id":5,"method":"tools/list"})");
  EXPECT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.body.find("simulate_crash"), std::string::npos) << listed.body;
}

TEST(RateLimit, RefusesWith429RetryAfterAndAJsonRpcError) {
  // 12 a minute: a token every 5 s, so a slow machine cannot refill the bucket between the calls.
  ServerUnderTest server(ServerLaunch{{"--set", "rate_limit.enabled=true", "--set", "rate_limit.requests_per_minute=12",
                                       "--set", "rate_limit.burst=3", "--set", "server.admin_listen=127.0.0.1:0"},
                                      {}});
  auto const session = initialize_session(server.port());  // initialize + initialized: 2 of 3
  auto const ping = [&] {
    return http_request(server.port(), "POST", "/mcp", mcp_headers(session), R"({"jsonrpc":"2.0","id":2,"method":"ping"})");
  };
  EXPECT_EQ(ping().status, 200);
  auto const refused = ping();
  EXPECT_EQ(refused.status, 429) << refused.body;
  auto const error = json::parse(refused.body).at("error").as_object();
  EXPECT_EQ(error.at("code").as_int64(), -32010);
  auto const wait_ms = error.at("data").at("retry_after_ms").as_int64();
  EXPECT_GT(wait_ms, 0);
  EXPECT_LE(wait_ms, 5000);
  EXPECT_EQ(refused.header("retry-after"), std::to_string((wait_ms + 999) / 1000)) << "whole seconds, rounded up";
  EXPECT_FALSE(error.at("data").at("correlation_id").as_string().empty());
  auto const metrics = http_request(server.admin_port(), "GET", "/metrics", {}, "");
  EXPECT_NE(metrics.body.find(R"(mcp_rate_limit_rejections_total{client_id="anonymous"} 1)"), std::string::npos)
      << metrics.body;
  std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms + 20));
  EXPECT_EQ(ping().status, 200) << "a token is back after Retry-After";
}

// Without auth the budget is per address, so one client that spends its own leaves the others
// theirs. Behind a trusted proxy the address is the one X-Forwarded-For gives; from anyone else
// the header changes nothing. GET and DELETE count too.
TEST(RateLimit, WithoutAuthEachAddressHasItsOwnBudget) {
  // One token a minute after a burst of 3: nothing refills during the test.
  std::vector<std::string> const limited{"--set", "rate_limit.enabled=true", "--set", "rate_limit.requests_per_minute=1",
                                         "--set", "rate_limit.burst=3"};
  auto discover = [](std::uint16_t port, std::string const& forwarded_for) {
    HeaderList headers = mcp_headers();
    headers.insert(headers.end(), {{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "server/discover"}});
    if (!forwarded_for.empty()) headers.emplace_back("X-Forwarded-For", forwarded_for);
    return http_request(port, "POST", "/mcp", headers,
                        R"({"jsonrpc":"2.0","id":1,"method":"server/discover","params":{"_meta":{)"
                        R"("io.modelcontextprotocol/protocolVersion":"2026-07-28",)"
                        R"("io.modelcontextprotocol/clientCapabilities":{}}}})")
        .status;
  };

  {  // Behind a trusted proxy (the tests' own loopback address).
    auto arguments = limited;
    arguments.insert(arguments.end(), {"--set", "server.trusted_proxies=127.0.0.1"});
    ServerUnderTest server(arguments);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(discover(server.port(), "192.0.2.1"), 200) << i;
    EXPECT_EQ(discover(server.port(), "192.0.2.1"), 429);
    // Another client behind the same proxy still has its budget, and one that writes the first
    // one's address before its own counts as itself: the proxy appends the address it heard from.
    EXPECT_EQ(discover(server.port(), "192.0.2.2"), 200);
    EXPECT_EQ(discover(server.port(), "192.0.2.1, 192.0.2.2"), 200);
    // A GET spends from the same budget: the third of 192.0.2.2's tokens, then none.
    HeaderList get_headers{{"Accept", "text/event-stream"}, {"X-Forwarded-For", "192.0.2.2"}};
    EXPECT_NE(http_request(server.port(), "GET", "/mcp", get_headers, "").status, 429);
    EXPECT_EQ(http_request(server.port(), "GET", "/mcp", get_headers, "").status, 429);
  }
  {  // Not behind a trusted proxy: X-Forwarded-For is the client's own word and changes nothing.
    ServerUnderTest server(limited);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(discover(server.port(), "192.0.2." + std::to_string(i + 1)), 200) << i;
    EXPECT_EQ(discover(server.port(), "192.0.2.99"), 429);
  }
}

TEST(Shutdown, SigtermLetsASlowToolCallFinishThenExitsZero) {
  ServerUnderTest server(
      ServerLaunch{{"--set", "server.shutdown_grace_s=10", "--set", "server.admin_listen=127.0.0.1:0"}, {}});
  auto const session = initialize_session(server.port());
  // The call streams a log message per step: the first one says it is under way.
  std::string const call = call_tool_body("simulate_workload", R"({"duration_ms":1200,"steps":4})");
  RawConnection caller(server.port());
  ASSERT_TRUE(caller.send(request_text(server.port(), "POST", "/mcp", mcp_headers(session), call, true)));
  std::string slow;
  ASSERT_TRUE(read_until(caller.fd(), slow, "notifications/message")) << slow;
  server.signal(SIGTERM);
  ASSERT_TRUE(server.wait_for_log("shutting_down")) << server.log();
  EXPECT_NE(server.log().find(R"("in_flight":1)"), std::string::npos) << server.log();
  // Readiness turns 503 at once, so a load balancer stops sending.
  auto const ready = http_request(server.admin_port(), "GET", "/ready", {}, "");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_EQ(json::parse(ready.body).at("shutting_down"), true);
  // New connections are refused while the slow call drains.
  EXPECT_THROW(http_request(server.port(), "POST", "/mcp", mcp_headers(session),
                            R"({"jsonrpc":"2.0","id":2,"method":"ping"})", std::chrono::seconds(2)),
               std::runtime_error);
  // The call finishes with its result, and the stream ends.
  EXPECT_TRUE(read_until(caller.fd(), slow, "\r\n0\r\n\r\n", std::chrono::seconds(15))) << slow;
  EXPECT_NE(slow.find(R"("result")"), std::string::npos) << slow;
  EXPECT_EQ(slow.find(R"("isError":true)"), std::string::npos) << slow;
  EXPECT_EQ(server.wait_exit(std::chrono::seconds(5)), 0) << server.log();
  EXPECT_NE(server.log().find(R"("event":"drained")"), std::string::npos) << server.log();
}

// Reloads (SIGHUP) and the admin port's fault switch both change the settings in force, from
// different threads, while requests read them. Each makes a new snapshot; none is lost or torn,
// and the server serves throughout.
TEST(ConfigReload, ReloadsAndTheFaultSwitchAtOnceLeaveConsistentSettings) {
  TempFile file("[logging]\nlevel = \"info\"\n[rate_limit]\nenabled = false\n");
  ServerUnderTest server(ServerLaunch{{"--config", file.path(), "--set", "server.admin_listen=127.0.0.1:0"}, {}});
  ASSERT_NE(server.admin_port(), 0);
  auto const session = initialize_session(server.port());
  std::atomic<bool> done{false};
  std::thread switcher([&] {
    for (int i = 0; !done; ++i) {
      auto const body = R"({"latency_ms":)" + std::to_string(i % 3) + "}";
      EXPECT_EQ(http_request(server.admin_port(), "PUT", "/faults", kJson, body).status, 200);
    }
  });
  for (int reload = 0; reload < 30; ++reload) {
    file.write(std::string("[logging]\nlevel = \"") + (reload % 2 ? "debug" : "info") + "\"\n[rate_limit]\nenabled = false\n");
    server.signal(SIGHUP);
    auto const reply = http_request(server.port(), "POST", "/mcp", mcp_headers(session), call_tool_body("echo", R"({"message":"x"})"));
    EXPECT_EQ(reply.status, 200) << reply.body;
  }
  done = true;
  switcher.join();
  // Settled: the last reload's level is in force, the switch's last latency stands until the next reload.
  ASSERT_TRUE(wait_until([&] { return server.log().find(R"("event":"config_reloaded")") != std::string::npos; }, std::chrono::seconds(10)));
  EXPECT_EQ(http_request(server.admin_port(), "PUT", "/faults", kJson, R"({"latency_ms":0})").status, 200);
  EXPECT_EQ(json::parse(http_request(server.admin_port(), "GET", "/faults", {}, "").body).at("latency_ms"), 0);
  EXPECT_TRUE(server.running());
}
