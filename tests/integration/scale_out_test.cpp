// Three prodmcp-server replicas behind HAProxy (the shipped config) sharing one redis-server. One
// client session is served by every replica; a replica killed mid-run costs at most the requests
// it had in flight (retried by the client); the rate limit is one budget for all replicas; the
// answer to a server-to-client request may reach any replica; a rolling restart under steady load
// fails no request.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <cstdio>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "gateway_client.hpp"
#include "haproxy_under_test.hpp"
#include "redis_under_test.hpp"
#include "server_under_test.hpp"

using namespace prodmcp::testing;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kReplicas = 3;
constexpr int kClientThreads = 4;

// Steady traffic on one session: each client thread calls echo in a loop until stop(). A request
// that fails for want of a replica (connection closed, 502/503) is retried once, as an MCP client
// retries an idempotent call; one that fails again is lost.
class SteadyLoad {
 public:
  struct Served {
    Clock::time_point at;
    std::string replica;
  };
  struct Tally {
    std::size_t answered = 0;  // correct results, retries included
    std::size_t retried = 0;   // first attempts that failed
    std::size_t lost = 0;      // failed on the retry too
    std::size_t not_found = 0; // 404: the session was gone (the client would have to initialize again)
    std::vector<Served> served;
    std::vector<std::string> problems;
  };

  SteadyLoad(std::uint16_t port, std::string session) : port_(port), session_(std::move(session)) {
    for (int i = 0; i < kClientThreads; ++i) threads_.emplace_back([this, i] { run(i); });
  }
  ~SteadyLoad() { stop(); }

  Tally snapshot() {
    std::lock_guard lock(mutex_);
    return tally_;
  }

  // Waits (generously) until the calls answered so far satisfy `condition`.
  bool wait_for(std::function<bool(Tally const&)> const& condition) {
    return wait_until([&] { return condition(snapshot()); }, std::chrono::seconds(30));
  }

  // Waits until `calls` more calls than now have been answered.
  bool wait_for_more(std::size_t calls) {
    auto const target = snapshot().answered + calls;
    return wait_for([&](Tally const& tally) { return tally.answered >= target; });
  }

  Tally stop() {
    running_ = false;
    for (auto& thread : threads_)
      if (thread.joinable()) thread.join();
    std::lock_guard lock(mutex_);
    return tally_;
  }

 private:
  enum class Attempt { kAnswered, kNoReplica, kNotFound, kWrong };

  Attempt call(std::string const& message) {
    std::string const body = R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo",)"
                             R"("arguments":{"message":")" + message + R"("}}})";
    HttpReply reply;
    try {
      reply = http_request(port_, "POST", "/mcp", mcp_headers(session_), body, std::chrono::seconds(5));
    } catch (std::exception const&) {
      return Attempt::kNoReplica;
    }
    std::lock_guard lock(mutex_);
    if (reply.status == 502 || reply.status == 503 || reply.status == 504) return Attempt::kNoReplica;
    if (reply.status == 404) {
      ++tally_.not_found;
      return Attempt::kNotFound;
    }
    bool const right = reply.status == 200 && reply.body.find("\"text\":\"" + message + "\"") != std::string::npos;
    if (!right) {
      if (tally_.problems.size() < 5) tally_.problems.push_back(std::to_string(reply.status) + " " + reply.body);
      return Attempt::kWrong;
    }
    ++tally_.answered;
    tally_.served.push_back({Clock::now(), reply.header("X-Served-By")});
    return Attempt::kAnswered;
  }

  void run(int thread) {
    for (std::size_t n = 0; running_; ++n) {
      auto const message = "t" + std::to_string(thread) + "-" + std::to_string(n);
      if (call(message) != Attempt::kNoReplica) continue;
      {
        std::lock_guard lock(mutex_);
        ++tally_.retried;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (call(message) == Attempt::kNoReplica) {
        std::lock_guard lock(mutex_);
        ++tally_.lost;
      }
    }
  }

  std::uint16_t const port_;
  std::string const session_;
  std::atomic<bool> running_{true};
  std::mutex mutex_;
  Tally tally_;
  std::vector<std::thread> threads_;
};

std::set<std::string> replicas_serving(SteadyLoad::Tally const& tally, Clock::time_point from, Clock::time_point to) {
  std::set<std::string> names;
  for (auto const& served : tally.served)
    if (served.at >= from && served.at < to) names.insert(served.replica);
  return names;
}

class ScaleOut : public ::testing::Test {
 protected:
  // Starts the replicas with `extra` arguments, then HAProxy, and waits until it sends to all.
  void start(std::vector<std::string> extra = {}) {
    extra_ = std::move(extra);
    for (auto& replica : replicas_) replica = Replica{stable_loopback_port(), stable_loopback_port()};
    for (std::size_t i = 0; i < kReplicas; ++i) start_replica(i);
    haproxy_.emplace(std::vector<Replica>(replicas_.begin(), replicas_.end()));
    for (std::size_t i = 0; i < kReplicas; ++i) ASSERT_TRUE(haproxy_->wait_for(name(i), "UP")) << name(i);
  }

  void start_replica(std::size_t i) {
    std::vector<std::string> arguments{
        "--set", "server.listen=127.0.0.1:" + std::to_string(replicas_[i].port),
        "--set", "server.admin_listen=127.0.0.1:" + std::to_string(replicas_[i].admin_port),
        "--set", "cache.redis_url=" + redis_.url(),
        "--set", "logging.level=warning",
        // More than HAProxy needs to see /ready fail: (fall 2 + 1) x 100 ms.
        "--set", "server.drain_delay_ms=600"};
    arguments.insert(arguments.end(), extra_.begin(), extra_.end());
    servers_[i].reset();
    servers_[i].emplace(arguments);
  }

  static std::string name(std::size_t i) { return "replica-" + std::to_string(i + 1); }

  // Waits until `load` (begun at `began`) has 100 answers and reached every replica.
  void reach_every_replica(SteadyLoad& load, Clock::time_point began) {
    std::set<std::string> all;
    for (std::size_t i = 0; i < kReplicas; ++i) all.insert(name(i));
    EXPECT_TRUE(load.wait_for([&](SteadyLoad::Tally const& tally) {
      return tally.answered >= 100 && replicas_serving(tally, began, Clock::now()) == all;
    })) << "the load did not reach every replica";
  }

  // Kills replica `i` under `load`; returns once HAProxy took it out and the others answered 100 more.
  void kill_under_load(SteadyLoad& load, std::size_t i) {
    servers_[i]->signal(SIGKILL);
    ASSERT_NE(servers_[i]->wait_exit(std::chrono::seconds(5)), -1);
    ASSERT_TRUE(haproxy_->wait_for(name(i), "DOWN"));
    EXPECT_TRUE(load.wait_for_more(100)) << "the other replicas did not serve on";
  }

  RedisUnderTest redis_;
  std::array<Replica, kReplicas> replicas_;
  std::array<std::optional<ServerUnderTest>, kReplicas> servers_;
  std::optional<HaproxyUnderTest> haproxy_;
  std::vector<std::string> extra_;
};

void report(char const* what, SteadyLoad::Tally const& tally, double seconds) {
  std::printf("%s: %zu calls answered in %.1f s (%.0f/s), %zu retried, %zu lost, %zu not found\n", what,
              tally.answered, seconds, static_cast<double>(tally.answered) / seconds, tally.retried, tally.lost,
              tally.not_found);
}

}  // namespace

TEST_F(ScaleOut, ASessionOutlivesAKilledReplica) {
  start();
  auto const session = initialize_session(haproxy_->port());
  auto const began = Clock::now();
  SteadyLoad load(haproxy_->port(), session);
  std::set<std::string> const all{name(0), name(1), name(2)};
  reach_every_replica(load, began);
  auto const killed_at = Clock::now();
  kill_under_load(load, 1);

  start_replica(1);
  ASSERT_TRUE(haproxy_->wait_for(name(1), "UP"));
  auto const back_at = Clock::now();
  EXPECT_TRUE(load.wait_for([&](SteadyLoad::Tally const& tally) {
    return replicas_serving(tally, back_at, Clock::now()).contains(name(1));
  }));
  EXPECT_TRUE(load.wait_for_more(100));
  auto const tally = load.stop();
  report("killed replica", tally, std::chrono::duration<double>(Clock::now() - began).count());

  EXPECT_TRUE(tally.problems.empty()) << tally.problems.front();
  EXPECT_EQ(tally.not_found, 0u) << "the client had to initialize again";
  EXPECT_EQ(tally.lost, 0u);
  // Only what the killed replica had in flight (one request per client thread at most) failed.
  EXPECT_LE(tally.retried, static_cast<std::size_t>(kClientThreads));
  EXPECT_EQ(replicas_serving(tally, began, killed_at), all);
  EXPECT_TRUE(replicas_serving(tally, back_at, Clock::now()).contains(name(1))) << "the returned replica took no traffic";
}

TEST_F(ScaleOut, AsAGatewayTheReplicasShareAClientsRemoteSessionAndAKilledOneLosesNothing) {
  ServerUnderTest remote;  // a remote MCP server (the fixtures) that every replica fronts
  // Every request reads the session from Redis (the default lets a copy checked in the last
  // second serve alone, and a replica holding such a copy would start a second remote session
  // before it converged on the stored one).
  start({"--upstream", "fx=http://127.0.0.1:" + std::to_string(remote.port()) + "/mcp", "--set",
         "cache.session_recheck_ms=0"});
  auto const session = initialize_session(haproxy_->port());
  // The first call starts the client's remote session; every replica continues it.
  ASSERT_NE(http_request(haproxy_->port(), "POST", "/mcp", mcp_headers(session),
                         R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"first"}}})")
                .body.find("first"),
            std::string::npos);
  auto const began = Clock::now();
  SteadyLoad load(haproxy_->port(), session);
  reach_every_replica(load, began);
  kill_under_load(load, 1);
  auto const tally = load.stop();
  report("gateway, killed replica", tally, std::chrono::duration<double>(Clock::now() - began).count());
  EXPECT_TRUE(tally.problems.empty()) << tally.problems.front();
  EXPECT_EQ(tally.lost, 0u);
  EXPECT_LE(tally.retried, static_cast<std::size_t>(kClientThreads));
  // The remote server saw one session for the client's calls, whichever replica made them.
  EXPECT_EQ(sessions_calling(remote, "echo").size(), 1u) << remote.log_tail();
}

TEST_F(ScaleOut, TheRateLimitIsOneBudgetForAllReplicas) {
  start({"--set", "rate_limit.enabled=true", "--set", "rate_limit.requests_per_minute=1", "--set",
         "rate_limit.burst=9"});
  int allowed = 0, limited = 0;
  std::set<std::string> limited_by;
  for (int i = 0; i < 30; ++i) {
    auto const reply = http_request(haproxy_->port(), "POST", "/mcp", mcp_headers(),
                                    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":)"
                                    R"("2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})");
    if (reply.status == 200) ++allowed;
    if (reply.status == 429) {
      ++limited;
      limited_by.insert(reply.header("X-Served-By"));
      EXPECT_FALSE(reply.header("Retry-After").empty());
    }
  }
  // Each replica alone would have let 9 through: 27.
  EXPECT_EQ(allowed, 9);
  EXPECT_EQ(limited, 21);
  EXPECT_EQ(limited_by.size(), kReplicas);
}

TEST_F(ScaleOut, TheAnswerToAServerRequestMayReachAnotherReplica) {
  start();
  auto const initialized = http_request(
      haproxy_->port(), "POST", "/mcp", mcp_headers(),
      R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
      R"("capabilities":{"sampling":{}},"clientInfo":{"name":"t","version":"1"}}})");
  ASSERT_EQ(initialized.status, 200);
  auto const session = initialized.header("Mcp-Session-Id");
  http_request(haproxy_->port(), "POST", "/mcp", mcp_headers(session),
               R"({"jsonrpc":"2.0","method":"notifications/initialized"})");

  // The tool asks the client for a completion on the request's SSE stream, through HAProxy.
  std::string const call =
      R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"test_sampling","arguments":{"prompt":"6x7?"}}})";
  RawConnection stream(haproxy_->port());
  ASSERT_TRUE(stream.send(request_text(haproxy_->port(), "POST", "/mcp", mcp_headers(session), call, true)));
  std::string received;
  ASSERT_TRUE(read_until(stream.fd(), received, "sampling/createMessage")) << received;
  auto const served_by_at = received.find("x-served-by: ");
  ASSERT_NE(served_by_at, std::string::npos) << received;
  auto const asking = received.substr(served_by_at + 13, received.find("\r\n", served_by_at) - served_by_at - 13);
  auto const asked_at = received.rfind("data: ", received.find("sampling/createMessage"));
  ASSERT_NE(asked_at, std::string::npos) << received;
  auto const asked = boost::json::parse(received.substr(asked_at + 6, received.find('\n', asked_at) - asked_at - 6));
  std::string const request_id(asked.at("id").as_string());

  // The answer goes straight to a replica that did not ask.
  std::size_t const other = asking == name(0) ? 1 : 0;
  auto const answered = http_request(
      replicas_[other].port, "POST", "/mcp", mcp_headers(session),
      R"({"jsonrpc":"2.0","id":")" + request_id +
          R"(","result":{"role":"assistant","content":{"type":"text","text":"forty-two"},"model":"m"}})");
  EXPECT_EQ(answered.status, 202) << answered.body;
  EXPECT_TRUE(read_until(stream.fd(), received, "LLM response: forty-two")) << received;

  // Answers nobody asked for are not kept: a client cannot fill Redis with them.
  auto const unasked = http_request(replicas_[other].port, "POST", "/mcp", mcp_headers(session),
                                    R"({"jsonrpc":"2.0","id":"srv-0123","result":{"padding":")" +
                                        std::string(100'000, 'x') + R"("}})");
  EXPECT_EQ(unasked.status, 202);
  EXPECT_EQ(redis_.cli("KEYS prodmcp:session:" + session + ":*"), "\n") << "answers or waits left in Redis";
}

TEST_F(ScaleOut, ARollingRestartFailsNoRequest) {
  start();
  auto const session = initialize_session(haproxy_->port());
  auto const began = Clock::now();
  SteadyLoad load(haproxy_->port(), session);
  EXPECT_TRUE(load.wait_for_more(100));
  std::array<Clock::time_point, kReplicas> back_at;
  for (std::size_t i = 0; i < kReplicas; ++i) {
    servers_[i]->signal(SIGTERM);  // drains: /ready 503, serves on while HAProxy takes it out, exits
    ASSERT_EQ(servers_[i]->wait_exit(std::chrono::seconds(10)), 0) << servers_[i]->log();
    start_replica(i);
    ASSERT_TRUE(haproxy_->wait_for(name(i), "UP"));
    back_at[i] = Clock::now();
    // Back in the rotation before the next one goes.
    EXPECT_TRUE(load.wait_for([&](SteadyLoad::Tally const& tally) {
      return replicas_serving(tally, back_at[i], Clock::now()).contains(name(i));
    })) << name(i);
  }
  EXPECT_TRUE(load.wait_for_more(100));
  auto const tally = load.stop();
  report("rolling restart", tally, std::chrono::duration<double>(Clock::now() - began).count());

  EXPECT_TRUE(tally.problems.empty()) << tally.problems.front();
  EXPECT_EQ(tally.not_found, 0u) << "the session did not survive the restarts";
  EXPECT_EQ(tally.retried, 0u) << "a request failed during the rollout";
  EXPECT_EQ(tally.lost, 0u);
  for (std::size_t i = 0; i < kReplicas; ++i)
    EXPECT_TRUE(replicas_serving(tally, back_at[i], Clock::now()).contains(name(i))) << name(i);
}
