// prodmcp-server as a gateway in front of a remote Streamable HTTP server: another
// prodmcp-server with its conformance fixtures, on a loopback port of its own.
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <thread>

#include "gateway_client.hpp"
#include "redis_under_test.hpp"
#include "server_under_test.hpp"
#include "util/token_hash.hpp"

namespace json = boost::json;
using namespace prodmcp::testing;
using namespace std::chrono_literals;

namespace {

std::string url_of(std::uint16_t port) { return "http://127.0.0.1:" + std::to_string(port) + "/mcp"; }

// The remote server's arguments: with its admin port (its session count is how a test sees the
// gateway's sessions).
std::vector<std::string> remote_arguments(std::vector<std::string> extra = {}) {
  std::vector<std::string> arguments{"--set", "server.admin_listen=127.0.0.1:0"};
  arguments.insert(arguments.end(), extra.begin(), extra.end());
  return arguments;
}

// Whether one line of the log holds every one of `parts`.
bool logged_together(ServerUnderTest const& server, std::vector<std::string> const& parts) {
  std::istringstream lines(server.log());
  for (std::string line; std::getline(lines, line);)
    if (std::all_of(parts.begin(), parts.end(), [&](auto const& part) { return line.find(part) != std::string::npos; }))
      return true;
  return false;
}

// A gauge or counter's value in a /metrics text; nullopt when the series is absent.
std::optional<double> metric(std::string const& text, std::string const& series) {
  auto const at = text.find("\n" + series + " ");
  if (at == std::string::npos) return std::nullopt;
  return std::stod(text.substr(at + series.size() + 2));
}

std::optional<double> remote_sessions(ServerUnderTest& remote) {
  return metric(http_request(remote.admin_port(), "GET", "/metrics", {}, "").body, "mcp_sessions");
}

// HAProxy terminating TLS (a certificate for "localhost" made here with openssl) in front of a
// plain HTTP server on `backend`: an https:// upstream for the gateway.
class TlsFront {
 public:
  explicit TlsFront(std::uint16_t backend) {
    char pattern[] = "/tmp/prodmcp-tls-XXXXXX";
    if (!::mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
    directory_ = pattern;
    auto const made = std::system(("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
                                   "-addext subjectAltName=DNS:localhost -keyout " + directory_ + "/key.pem -out " +
                                   directory_ + "/cert.pem >/dev/null 2>&1 && cat " + directory_ + "/cert.pem " +
                                   directory_ + "/key.pem > " + directory_ + "/both.pem")
                                      .c_str());
    if (made != 0) throw std::runtime_error("openssl could not make a certificate");
    port_ = stable_loopback_port();
    std::ofstream(directory_ + "/haproxy.cfg")
        << "defaults\n  mode http\n  timeout connect 5s\n  timeout client 60s\n  timeout server 60s\n"
        << "frontend tls\n  bind 127.0.0.1:" << port_ << " ssl crt " << directory_ << "/both.pem\n"
        << "  default_backend mcp\nbackend mcp\n  server only 127.0.0.1:" << backend << "\n";
    pid_ = ::fork();
    if (pid_ == 0) {
      if (!std::freopen((directory_ + "/haproxy.log").c_str(), "w", stderr)) ::_exit(126);
      ::execlp("haproxy", "haproxy", "-db", "-f", (directory_ + "/haproxy.cfg").c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    listening_ = wait_until([&] {
      try {
        RawConnection probe(port_);
        return true;
      } catch (std::exception const&) {
        return false;
      }
    }, 30s);
  }
  ~TlsFront() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    std::filesystem::remove_all(directory_);
  }
  bool listening() const { return listening_; }
  std::uint16_t port() const { return port_; }
  std::string certificate() const { return directory_ + "/cert.pem"; }

 private:
  std::string directory_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
  bool listening_ = false;
};

// A gateway replica in front of `remote`, its sessions in `redis`, trusting its copy of a session
// for `recheck_ms`.
std::vector<std::string> replica_arguments(ServerUnderTest const& remote, RedisUnderTest const& redis, int recheck_ms) {
  return {"--set",      "server.admin_listen=127.0.0.1:0",
          "--upstream", "fx=" + url_of(remote.port()),
          "--set",      "cache.redis_url=" + redis.url(),
          "--set",      "cache.session_recheck_ms=" + std::to_string(recheck_ms)};
}

std::string write_config(std::string const& text) {
  auto const path = std::filesystem::temp_directory_path() /
                    ("prodmcp-gateway-http-" + std::to_string(::getpid()) + "-" +
                     std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + ".toml");
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace

TEST(GatewayHttp, ForwardsCallsAndProgressToARemoteServer) {
  ServerUnderTest remote(remote_arguments());
  Gateway gateway({"fx=" + url_of(remote.port())});
  auto const port = gateway.server.port();
  auto const session = initialize_session(port);
  EXPECT_TRUE(contains(tool_names(port, session), "test_simple_text"));
  EXPECT_EQ(text_of(call_tool(port, session, "echo", R"({"message":"over HTTP"})")), "over HTTP");
  EXPECT_TRUE(gateway.server.wait_for_log(R"("tool":"echo","upstream":"fx")")) << gateway.server.log_tail();

  // Progress comes back on the client's own token, through the remote server's event stream.
  expect_progress_round_trip(port, session);

  auto const ready = json::parse(ready_body(gateway.server));
  auto const detail = std::string(ready.at("checks").at("mcp_servers").at("detail").as_string());
  EXPECT_NE(detail.find("fx: ready (ping"), std::string::npos) << detail;
}

TEST(GatewayHttp, ARemoteServersSamplingRequestReachesTheClientWhoseCallCausedIt) {
  ServerUnderTest remote(remote_arguments());
  Gateway gateway({"fx=" + url_of(remote.port())});
  expect_sampling_round_trip(gateway.server.port());
}

// What a remote server asks a client session outside any call comes on that client's own remote
// session's GET stream and reaches the client on its stream. The remote server here is a second
// gateway, whose per-client stdio child asks roots/list right after answering a call.
TEST(GatewayHttp, ARemoteServersRequestOutsideAnyCallReachesTheClientOfThatSession) {
  Gateway remote({std::string("fake=") + PRODMCP_FAKE_UPSTREAM_BINARY});
  Gateway gateway({"far=" + url_of(remote.server.port())});
  auto const port = gateway.server.port();
  auto const session = initialize_with(port, R"({"roots":{}})");
  auto listening = open_standalone_stream(port, session);
  // The client's first call starts its remote session; the gateway then keeps a stream open on it
  // (the supervised session keeps one too).
  EXPECT_EQ(text_of(call_tool(port, session, "echo", R"({"message":"hello"})")), "hello");
  auto const streams_open = [&] {
    auto const log = remote.server.log();
    std::size_t count = 0;
    for (auto at = log.find("\"standalone_stream_opened\""); at != std::string::npos;
         at = log.find("\"standalone_stream_opened\"", at + 1))
      ++count;
    return count;
  };
  ASSERT_TRUE(wait_until([&] { return streams_open() >= 2; }, 20s)) << remote.server.log_tail();

  answer_roots_asked_later(port, session, listening, "file:///srv/far");
  EXPECT_TRUE(remote.server.wait_for_log("file:///srv/far", 10s)) << remote.server.log_tail();
}

TEST(GatewayHttp, EachClientSessionGetsARemoteSessionOfItsOwnEndedWithIt) {
  ServerUnderTest remote(remote_arguments());
  Gateway gateway({"fx=" + url_of(remote.port())});
  auto const port = gateway.server.port();
  auto const alice = initialize_session(port);
  auto const bob = initialize_session(port);
  EXPECT_EQ(text_of(call_tool(port, alice, "echo", R"({"message":"a"})")), "a");
  EXPECT_EQ(text_of(call_tool(port, bob, "echo", R"({"message":"b"})")), "b");
  EXPECT_TRUE(wait_until([&] { return sessions_calling(remote, "echo").size() == 2; }, 10s)) << remote.log_tail();
  // The supervised session (catalog, health) and one per client.
  EXPECT_EQ(remote_sessions(remote), 3.0);
  auto const metrics = http_request(gateway.server.admin_port(), "GET", "/metrics", {}, "").body;
  EXPECT_EQ(metric(metrics, R"(mcp_upstream_sessions{upstream="fx"})"), 3.0) << metrics;

  // A client that ends its session ends its remote session too (the gateway sweeps every 2 s).
  auto const ended = http_request(port, "DELETE", "/mcp", mcp_headers(alice), "");
  EXPECT_EQ(ended.status, 204);
  EXPECT_TRUE(wait_until([&] { return remote_sessions(remote) == 2.0; }, 20s)) << gateway.server.log_tail();
  EXPECT_TRUE(gateway.server.wait_for_log("\"upstream_client_session_ended\"")) << gateway.server.log_tail();
}

TEST(GatewayHttp, ASharedRemoteSessionServesEveryClient) {
  ServerUnderTest remote(remote_arguments());
  Gateway gateway({"fx=" + url_of(remote.port())}, {"--set", "upstreams.fx.sessions=shared"});
  auto const port = gateway.server.port();
  for (auto const& session : {initialize_session(port), initialize_session(port)})
    EXPECT_EQ(text_of(call_tool(port, session, "echo", R"({"message":"x"})")), "x");
  EXPECT_TRUE(wait_until([&] { return sessions_calling(remote, "echo").size() == 1; }, 10s)) << remote.log_tail();
  EXPECT_EQ(remote_sessions(remote), 1.0);
}

TEST(GatewayHttp, SendsItsConfiguredHeadersAndTheCorrelationIdNeverTheClientsToken) {
  std::string const upstream_token = "upstream-secret-4d1e", client_token = "client-secret-9b2a";
  ServerUnderTest remote(
      remote_arguments({"--set", "auth.enabled=true", "--set", "auth.clients=gateway=" + prodmcp::util::hash_token(upstream_token)}));
  auto const config = write_config("[upstreams.fx]\nurl = \"" + url_of(remote.port()) +
                                   "\"\nheaders = { Authorization = \"Bearer ${FX_TOKEN}\" }\n");
  ServerUnderTest gateway(ServerLaunch{{"--config", config, "--set", "server.admin_listen=127.0.0.1:0", "--set",
                                        "auth.enabled=true", "--set",
                                        "auth.clients=alice=" + prodmcp::util::hash_token(client_token)},
                                       {{"FX_TOKEN", upstream_token}}});
  ASSERT_TRUE(gateway.wait_for_log("\"upstream_ready\"", 30s)) << gateway.log_tail();
  auto headers = mcp_headers();
  headers.emplace_back("Authorization", "Bearer " + client_token);
  auto const initialized = http_request(
      gateway.port(), "POST", "/mcp", headers,
      R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})");
  ASSERT_EQ(initialized.status, 200) << initialized.body;
  headers = mcp_headers(initialized.header("Mcp-Session-Id"));
  headers.emplace_back("Authorization", "Bearer " + client_token);
  headers.emplace_back("X-Correlation-ID", "corr-through-the-gateway-42");
  auto const reply = http_request(gateway.port(), "POST", "/mcp", headers,
                                  R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"with care"}}})");
  EXPECT_EQ(text_of(answer(reply)), "with care") << reply.body;
  // The remote server accepted the gateway's token (it would refuse the client's) and logged the
  // client's correlation id.
  EXPECT_TRUE(remote.wait_for_log(R"("correlation_id":"corr-through-the-gateway-42")")) << remote.log_tail();
  EXPECT_TRUE(logged_together(remote, {R"("tool":"echo")", R"("client_id":"gateway")"})) << remote.log_tail();
  EXPECT_EQ(gateway.log().find(upstream_token), std::string::npos) << "the upstream's token must never be logged";
  std::filesystem::remove(config);
}

TEST(GatewayHttp, RefusedCredentialsKeepTheUpstreamNotReadyAndSaySo) {
  ServerUnderTest remote(
      remote_arguments({"--set", "auth.enabled=true", "--set", "auth.clients=gateway=" + prodmcp::util::hash_token("the-right-one")}));
  Gateway gateway({"fx=" + url_of(remote.port())}, {}, false);
  EXPECT_TRUE(gateway.server.wait_for_log("refused the gateway's credentials", 30s)) << gateway.server.log_tail();
  auto const ready = http_request(gateway.server.admin_port(), "GET", "/ready", {}, "");
  EXPECT_EQ(ready.status, 503) << ready.body;
}

TEST(GatewayHttp, ARemoteServerThatIsDownIsWaitedForNotGivenUpOn) {
  auto const remote_port = stable_loopback_port();
  Gateway gateway({"fx=" + url_of(remote_port)},
                  {"--set", "upstreams.fx.restart_backoff_ms=100", "--set", "upstreams.fx.restart_max_backoff_ms=200",
                   "--set", "upstreams.fx.crash_loop_limit=2"},
                  false);
  // More failed attempts than the crash-loop limit, and still trying.
  EXPECT_TRUE(wait_until([&] {
    auto const log = gateway.server.log();
    std::size_t attempts = 0;
    for (auto at = log.find("\"upstream_restarting\""); at != std::string::npos; at = log.find("\"upstream_restarting\"", at + 1))
      ++attempts;
    return attempts >= 4;
  }, 30s)) << gateway.server.log_tail();
  EXPECT_EQ(gateway.server.log().find("\"upstream_crash_loop\""), std::string::npos);
  EXPECT_NE(ready_body(gateway.server).find("cannot reach"), std::string::npos) << ready_body(gateway.server);
  ServerUnderTest remote(remote_arguments({"--set", "server.listen=127.0.0.1:" + std::to_string(remote_port)}));
  EXPECT_TRUE(gateway.server.wait_for_log("\"upstream_ready\"", 30s)) << gateway.server.log_tail();
  auto const session = initialize_session(gateway.server.port());
  EXPECT_EQ(text_of(call_tool(gateway.server.port(), session, "echo", R"({"message":"up at last"})")), "up at last");
}

TEST(GatewayHttp, ARestartedRemoteServerGetsNewSessionsAndReadOnlyCallsGoOn) {
  auto const remote_port = stable_loopback_port();
  std::vector<std::string> const on_port{"--set", "server.listen=127.0.0.1:" + std::to_string(remote_port)};
  std::optional<ServerUnderTest> server;
  server.emplace(remote_arguments(on_port));
  Gateway gateway({"fx=" + url_of(remote_port)}, {"--set", "upstreams.fx.restart_backoff_ms=100"});
  auto const port = gateway.server.port();
  auto const session = initialize_session(port);
  EXPECT_EQ(text_of(call_tool(port, session, "echo", R"({"message":"before"})")), "before");
  server.reset();  // its sessions are gone with it
  server.emplace(remote_arguments(on_port));
  // echo is read-only: the call that finds its session forgotten is tried again on a new one.
  EXPECT_EQ(text_of(call_tool(port, session, "echo", R"({"message":"after"})")), "after") << gateway.server.log_tail();
  EXPECT_TRUE(gateway.server.wait_for_log("(HTTP 404)", 10s)) << gateway.server.log_tail();
  // The supervised session is renewed too, so the catalog and health follow the new server.
  EXPECT_TRUE(wait_until([&] { return ready_body(gateway.server).find("fx: ready (ping") != std::string::npos; }, 30s))
      << ready_body(gateway.server);
}

TEST(GatewayHttp, ARemoteListChangeReachesTheGatewaysCatalog) {
  ServerUnderTest remote(remote_arguments());
  Gateway gateway({"fx=" + url_of(remote.port())});
  auto const port = gateway.server.port();
  auto const session = initialize_session(port);
  ASSERT_FALSE(contains(tool_names(port, session), "test_dynamic_tool"));
  EXPECT_EQ(text_of(call_tool(port, session, "test_trigger_tool_change")), "tool list changed");
  // The remote server says tools/list_changed on the supervised session's stream; the gateway relists.
  EXPECT_TRUE(wait_until([&] { return contains(tool_names(port, session), "test_dynamic_tool"); }, 20s, 100ms))
      << gateway.server.log_tail();
  EXPECT_EQ(text_of(call_tool(port, session, "test_dynamic_tool")), "dynamic tool called");
}

TEST(GatewayHttp, ACallTheRemoteServerDoesNotAnswerInTimeFailsAndIsCancelledThere) {
  ServerUnderTest remote(remote_arguments());
  Gateway gateway({"fx=" + url_of(remote.port())}, {"--set", "upstreams.fx.timeout_ms=300"});
  auto const port = gateway.server.port();
  auto const session = initialize_session(port);
  auto const slow = call_tool(port, session, "simulate_workload", R"({"duration_ms":5000,"steps":5})");
  EXPECT_NE(error_of(slow).find("within 300 ms"), std::string::npos) << slow;
  EXPECT_TRUE(wait_until([&] { return logged_together(remote, {R"("tool":"simulate_workload")", R"("status":"cancelled")"}); },
                         10s))
      << remote.log_tail();
  EXPECT_EQ(text_of(call_tool(port, session, "echo", R"({"message":"still here"})")), "still here");
}

TEST(GatewayHttp, ReplicasSharingRedisContinueAClientsRemoteSessionAndOneKilledLosesNothing) {
  RedisUnderTest redis;
  ServerUnderTest remote(remote_arguments());
  auto const replica = replica_arguments(remote, redis, 0);
  std::optional<ServerUnderTest> a;
  a.emplace(replica);
  ServerUnderTest b(replica);
  ASSERT_TRUE(a->wait_for_log("\"upstream_ready\"", 30s)) << a->log_tail();
  ASSERT_TRUE(b.wait_for_log("\"upstream_ready\"", 30s)) << b.log_tail();
  auto const session = initialize_session(a->port());
  EXPECT_EQ(text_of(call_tool(a->port(), session, "echo", R"({"message":"on a"})")), "on a");
  // Replica a wrote the remote session into the client's session in Redis ...
  EXPECT_NE(redis.cli("HGET prodmcp:session:" + session + " upstream:fx").find("2025-11-25"), std::string::npos);
  // ... so replica b continues it instead of starting another.
  EXPECT_EQ(text_of(call_tool(b.port(), session, "echo", R"({"message":"on b"})")), "on b");
  EXPECT_TRUE(b.wait_for_log("\"upstream_client_session_resumed\"")) << b.log_tail();
  auto const echo_calls = [&] {
    auto const log = remote.log();
    std::size_t count = 0;
    for (auto at = log.find(R"("tool":"echo")"); at != std::string::npos; at = log.find(R"("tool":"echo")", at + 1)) ++count;
    return count;
  };
  EXPECT_TRUE(wait_until([&] { return echo_calls() == 2; }, 10s)) << remote.log_tail();
  EXPECT_EQ(sessions_calling(remote, "echo").size(), 1u) << remote.log_tail();
  EXPECT_EQ(remote_sessions(remote), 3.0) << "one supervised session per replica, one for the client";

  // Replica a dies; the client goes on through b in the same remote session.
  a->signal(SIGKILL);
  a.reset();
  EXPECT_EQ(text_of(call_tool(b.port(), session, "echo", R"({"message":"after a died"})")), "after a died");
  EXPECT_EQ(sessions_calling(remote, "echo").size(), 1u) << remote.log_tail();
}

TEST(GatewayHttp, ReplicasThatStartedTwoRemoteSessionsForOneClientConvergeOnTheStoredOne) {
  RedisUnderTest redis;
  ServerUnderTest remote(remote_arguments());
  // Each replica trusts its copy of a session for 3 s: long enough for both to start a remote session.
  auto const replica = replica_arguments(remote, redis, 3000);
  ServerUnderTest a(replica), b(replica);
  ASSERT_TRUE(a.wait_for_log("\"upstream_ready\"", 30s) && b.wait_for_log("\"upstream_ready\"", 30s));
  // The remote sessions of the echo calls, in the order the remote server logged them.
  auto const echo_sessions = [&] {
    std::vector<std::string> sessions;
    std::istringstream lines(remote.log());
    std::regex const field(R"re("session":"([^"]+)")re");
    for (std::string line; std::getline(lines, line);)
      if (std::smatch match; line.find(R"("tool":"echo")") != std::string::npos && std::regex_search(line, match, field))
        sessions.push_back(match[1]);
    return sessions;
  };
  auto const began = std::chrono::steady_clock::now();
  auto const session = initialize_session(a.port());  // a holds a fresh copy
  EXPECT_EQ(text_of(call_tool(b.port(), session, "echo", R"({"message":"b first"})")), "b first");
  EXPECT_EQ(text_of(call_tool(a.port(), session, "echo", R"({"message":"a from its copy"})")), "a from its copy");
  bool const raced = std::chrono::steady_clock::now() - began < 3s;  // a did not look at Redis
  ASSERT_TRUE(wait_until([&] { return echo_sessions().size() == 2; }, 10s)) << remote.log_tail();
  auto const first = echo_sessions();
  bool const two = first[0] != first[1];
  std::printf("remote sessions started for the client: %d (%s)\n", two ? 2 : 1, raced ? "raced" : "no race");
  std::this_thread::sleep_for(3s - std::min<std::chrono::steady_clock::duration>(3s, std::chrono::steady_clock::now() - began) +
                              100ms);  // both copies are older than the window now
  EXPECT_EQ(text_of(call_tool(b.port(), session, "echo", R"({"message":"b again"})")), "b again");
  EXPECT_EQ(text_of(call_tool(a.port(), session, "echo", R"({"message":"a again"})")), "a again");
  if (two) {
    EXPECT_TRUE(b.wait_for_log("another replica's session with the server is the client's now")) << b.log_tail();
  }
  // From here on one remote session, the one stored last (a's), serves the client on both replicas.
  ASSERT_TRUE(wait_until([&] { return echo_sessions().size() == 4; }, 10s)) << remote.log_tail();
  auto const all = echo_sessions();
  EXPECT_EQ(all[2], first[1]) << remote.log_tail();
  EXPECT_EQ(all[3], first[1]) << remote.log_tail();
}

TEST(GatewayHttp, AnHttpsUpstreamIsReachedWhenItsCertificateIsTrustedAndRefusedWhenNot) {
  ServerUnderTest remote(remote_arguments());
  TlsFront front(remote.port());
  ASSERT_TRUE(front.listening());
  auto const url = "fx=https://localhost:" + std::to_string(front.port()) + "/mcp";
  // Trusted (SSL_CERT_FILE names the test's certificate): calls go through TLS.
  ServerUnderTest trusting(ServerLaunch{{"--set", "server.admin_listen=127.0.0.1:0", "--upstream", url},
                                        {{"SSL_CERT_FILE", front.certificate()}}});
  ASSERT_TRUE(trusting.wait_for_log("\"upstream_ready\"", 30s)) << trusting.log_tail();
  auto const session = initialize_session(trusting.port());
  EXPECT_EQ(text_of(call_tool(trusting.port(), session, "echo", R"({"message":"over TLS"})")), "over TLS");
  expect_progress_round_trip(trusting.port(), session);
  // Not trusted: the upstream is not ready, and the log says why.
  ServerUnderTest doubting({"--set", "server.admin_listen=127.0.0.1:0", "--upstream", url});
  EXPECT_TRUE(doubting.wait_for_log("certificate verify failed", 30s)) << doubting.log_tail();
  EXPECT_EQ(http_request(doubting.admin_port(), "GET", "/ready", {}, "").status, 503);
}
