// Every way the server can end a client's connection: where an answer is possible, the client
// gets one (408 for a stalled request, 500 for a handler that threw, both with Connection: close),
// a busy server does not blame the client for its own lateness, and a peer that went away does
// not end the process.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/awaitable.hpp>
#include <boost/json/parse.hpp>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "http/http_listener.hpp"
#include "runtime/worker_pool.hpp"
#include "server_under_test.hpp"

namespace json = boost::json;
using namespace prodmcp::testing;
using namespace std::chrono_literals;

namespace {

std::string const kPing = R"({"jsonrpc":"2.0","id":7,"method":"ping"})";

// The line and headers of a POST of kPing in `session`, to send apart from its body.
std::string ping_head(std::uint16_t port, std::string const& session, bool keep_alive = false) {
  auto const text = request_text(port, "POST", "/mcp", mcp_headers(session), kPing, keep_alive);
  return text.substr(0, text.size() - kPing.size());
}

// Reads what the server sends on `connection` until it closes (or `timeout`).
std::string read_all(RawConnection& connection, std::chrono::milliseconds timeout = 10s) {
  std::string data;
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    timeval wait{0, 100'000};
    ::setsockopt(connection.fd(), SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    auto const n = ::recv(connection.fd(), buffer, sizeof buffer, 0);
    if (n == 0) break;
    if (n > 0) data.append(buffer, static_cast<std::size_t>(n));
  }
  return data;
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

class Throwing final : public prodmcp::http::Handler {
 public:
  boost::asio::awaitable<void> serve(prodmcp::http::Exchange&) override {
    throw std::runtime_error("a bug in a handler");
    co_return;
  }
};

class Answering final : public prodmcp::http::Handler {
 public:
  boost::asio::awaitable<void> serve(prodmcp::http::Exchange& exchange) override {
    co_await exchange.respond(prodmcp::http::json_response(200, R"({"ok":true})"));
  }
};

}  // namespace

TEST(Connections, AStalledRequestLineGets408WithConnectionClose) {
  ServerUnderTest server({"--set", "limits.header_timeout_ms=300"});
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.send("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-"));
  auto const reply = read_all(connection);
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 408")) << reply;
  EXPECT_NE(lower(reply).find("connection: close"), std::string::npos) << reply;
  EXPECT_NE(reply.find("limits.header_timeout_ms (300 ms)"), std::string::npos) << reply;
  EXPECT_NE(reply.find(R"("jsonrpc":"2.0")"), std::string::npos) << reply;
  // An idle connection (no request begun) just closes: there is nobody to tell.
  RawConnection idle(server.port());
  EXPECT_EQ(read_all(idle), "");
  EXPECT_EQ(http_request(server.port(), "POST", "/mcp", mcp_headers(initialize_session(server.port())), kPing).status,
            200);
}

TEST(Connections, AStalledBodyGets408WithConnectionClose) {
  ServerUnderTest server({"--set", "limits.body_timeout_ms=300"});
  auto const session = initialize_session(server.port());
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.send(ping_head(server.port(), session) + kPing.substr(0, 10)));
  auto const reply = read_all(connection);
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 408")) << reply;
  EXPECT_NE(lower(reply).find("connection: close"), std::string::npos) << reply;
  EXPECT_NE(reply.find("limits.body_timeout_ms (300 ms)"), std::string::npos) << reply;
  EXPECT_EQ(http_request(server.port(), "POST", "/mcp", mcp_headers(session), kPing).status, 200);
}

// A server that could not run (here: stopped by SIGSTOP, as a starved CPU would leave it) past the
// header and body deadlines still serves the requests whose bytes arrived in time.
TEST(Connections, AStarvedServerServesTheRequestsThatArrivedInTime) {
  ServerUnderTest server({"--set", "limits.header_timeout_ms=200", "--set", "limits.body_timeout_ms=200",
                          "--set", "server.admin_listen=127.0.0.1:0"});
  auto const session = initialize_session(server.port());
  for (int round = 0; round < 4; ++round) {
    RawConnection whole(server.port());    // the whole request arrives while the server is stopped
    RawConnection split(server.port());    // the header arrived before, the body during the stop
    auto const head = ping_head(server.port(), session);
    ASSERT_TRUE(split.send(head));
    // Both connections are accepted and waiting for their requests before the stop.
    ASSERT_TRUE(wait_until(
        [&] {
          auto const metrics = http_request(server.admin_port(), "GET", "/metrics", {}, "").body;
          return metrics.find("mcp_active_connections 2\n") != std::string::npos;
        },
        10s));
    server.signal(SIGSTOP);
    ASSERT_TRUE(whole.send(head + kPing));
    ASSERT_TRUE(split.send(kPing));
    std::this_thread::sleep_for(600ms);  // the outage: three times the deadlines
    server.signal(SIGCONT);
    for (auto* connection : {&whole, &split}) {
      auto const reply = read_all(*connection);
      EXPECT_TRUE(reply.starts_with("HTTP/1.1 200")) << "round " << round << ": " << reply;
      EXPECT_NE(reply.find(R"("id":7,"result":{})"), std::string::npos) << reply;
    }
  }
}

// A console that supervised the server and went away leaves its log pipe without a reader: the
// server keeps serving (the lines are lost) instead of dying of SIGPIPE on its next log line.
TEST(Connections, ALogPipeWithoutAReaderDoesNotEndTheServer) {
  char ports[] = "/tmp/prodmcp-test-ports-XXXXXX";
  ::close(::mkstemp(ports));
  ::unlink(ports);
  int log_pipe[2];
  ASSERT_EQ(::pipe(log_pipe), 0);
  char const* const binary = server_binary().c_str();  // before fork: the child only execs
  pid_t const pid = ::fork();
  if (pid == 0) {
    ::dup2(log_pipe[1], 2);
    ::close(log_pipe[0]);
    ::execl(binary, binary, "--listen", "127.0.0.1:0", "--ports-file", ports,
            "--set", "server.admin_listen=", "--set", "cache.redis_url=", "--set", "logging.level=debug",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(log_pipe[1]);
  ::close(log_pipe[0]);  // nobody reads the log any more
  std::uint16_t port = 0;
  ASSERT_TRUE(wait_until(
      [&] {
        std::ifstream file(ports);
        std::stringstream text;
        text << file.rdbuf();
        if (text.str().empty()) return false;
        port = static_cast<std::uint16_t>(json::parse(text.str()).at("mcp").as_int64());
        return true;
      },
      10s));
  for (int i = 0; i < 20; ++i) {  // each request writes log lines into the dead pipe
    auto const reply = attempt_request(port, "POST", "/mcp", mcp_headers(), R"({"jsonrpc":"2.0","id":1,"method":"initialize",)"
                                       R"("params":{"protocolVersion":"2025-11-25","capabilities":{},)"
                                       R"("clientInfo":{"name":"t","version":"1"}}})");
    ASSERT_EQ(reply.status, 200) << "request " << i << ": " << reply.failure;
  }
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, WNOHANG), 0) << "the server ended, signal " << WTERMSIG(status);
  ::kill(pid, SIGTERM);
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  ::unlink(ports);
}

// The listener itself, in process: a handler that throws gets its client a 500 JSON-RPC error
// with Connection: close, and the listener serves the next client.
TEST(Connections, AHandlerThatThrowsGetsTheClientA500AndTheListenerServesOn) {
  prodmcp::runtime::WorkerPool pool(1);
  prodmcp::http::Listener listener(pool, prodmcp::http::ListenerLimits{});
  Throwing throwing;
  Answering answering;
  listener.route("/throw", throwing);
  listener.route("/ok", answering);
  auto const port = listener.listen("127.0.0.1", 0);
  std::thread worker([&] { pool.run(); });
  RawConnection connection(port);
  ASSERT_TRUE(connection.send("GET /throw HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  auto const reply = read_all(connection);
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 500")) << reply;
  EXPECT_NE(lower(reply).find("connection: close"), std::string::npos) << reply;
  EXPECT_NE(reply.find(R"("code":-32603)"), std::string::npos) << reply;
  EXPECT_EQ(http_request(port, "GET", "/ok", {}, "").status, 200);
  listener.stop();
  pool.stop();
  worker.join();
}

// On a keep-alive connection the idle timeout lasts only until the next request begins: a request
// that then stalls gets the header timeout like the first one did, not the idle timeout.
TEST(Connections, AStalledRequestOnAKeptAliveConnectionGetsTheHeaderTimeout) {
  ServerUnderTest server({"--set", "limits.header_timeout_ms=300", "--set", "limits.idle_timeout_ms=600000"});
  auto const session = initialize_session(server.port());
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.send(ping_head(server.port(), session, true) + kPing));
  std::string received;
  ASSERT_TRUE(read_until(connection.fd(), received, R"("id":7)")) << received;
  ASSERT_TRUE(connection.send("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-"));
  received.clear();
  EXPECT_TRUE(read_until(connection.fd(), received, "HTTP/1.1 408", 30s)) << received;
  EXPECT_NE(received.find("limits.header_timeout_ms (300 ms)"), std::string::npos) << received;
}

namespace {

// `count` keep-alive connections, each of which has been served a ping (so the server counts it).
std::vector<RawConnection> hold_connections(std::uint16_t port, std::string const& session, int count) {
  std::vector<RawConnection> held;
  for (int i = 0; i < count; ++i) {
    held.emplace_back(port);
    std::string received;
    EXPECT_TRUE(held.back().send(ping_head(port, session, true) + kPing)) << i;
    EXPECT_TRUE(read_until(held.back().fd(), received, R"("id":7)")) << i << ": " << received;
  }
  return held;
}

}  // namespace

// Out of descriptors the MCP port answers 503 at once instead of failing accept() over and over,
// and the admin port, whose descriptors are kept in reserve, still answers probes.
TEST(Connections, AtTheDescriptorLimitClientsGet503AndProbesStillAnswer) {
  ServerLaunch launch{{"--set", "server.admin_listen=127.0.0.1:0", "--set", "rate_limit.enabled=false"}, {}};
  launch.descriptor_limit = 200;  // below the reserve: the MCP port gets half
  ServerUnderTest server(launch);
  ASSERT_TRUE(server.wait_for_log(R"("event":"descriptor_limit")")) << server.log_tail();
  EXPECT_NE(server.log().find(R"("serving":100)"), std::string::npos) << server.log_tail();
  auto const session = initialize_session(server.port());
  auto held = hold_connections(server.port(), session, 100);
  auto const refused = http_request(server.port(), "POST", "/mcp", mcp_headers(session), kPing);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.header("retry-after"), "1");
  EXPECT_EQ(http_request(server.admin_port(), "GET", "/health", {}, "").status, 200);
  EXPECT_EQ(http_request(server.admin_port(), "GET", "/ready", {}, "").status, 200);
  held.clear();
  EXPECT_TRUE(wait_until(
      [&] { return http_request(server.port(), "POST", "/mcp", mcp_headers(session), kPing).status == 200; }, 20s));
}

// One client cannot take every connection: past limits.max_connections_per_address its address
// gets 503 saying so, until it closes some.
TEST(Connections, OneAddressCannotHoldMoreThanItsShare) {
  ServerUnderTest server({"--set", "limits.max_connections_per_address=5", "--set", "rate_limit.enabled=false"});
  auto const session = initialize_session(server.port());
  auto held = hold_connections(server.port(), session, 5);
  auto const refused = http_request(server.port(), "POST", "/mcp", mcp_headers(session), kPing);
  EXPECT_EQ(refused.status, 503);
  EXPECT_NE(refused.body.find("limits.max_connections_per_address"), std::string::npos) << refused.body;
  held.pop_back();
  EXPECT_TRUE(wait_until(
      [&] { return http_request(server.port(), "POST", "/mcp", mcp_headers(session), kPing).status == 200; }, 20s));
}
