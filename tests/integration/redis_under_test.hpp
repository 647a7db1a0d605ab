#pragma once
// A redis-server process of its own on a free loopback port, for one test: it can be killed and
// brought back on the same port to play an outage.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace prodmcp::testing {

class RedisUnderTest {
 public:
  // Starts it (on `port`, or a free one below the ephemeral range, so that it can come back on the
  // same port after kill(): no outgoing connection can be holding it) and waits until it answers.
  explicit RedisUnderTest(std::uint16_t port = 0);
  ~RedisUnderTest();
  std::uint16_t port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  void kill();   // SIGKILL: an abrupt outage
  void start();  // again, on the same port
  // Whether it answers a PING within `timeout` (false while it runs DEBUG SLEEP, or is down).
  bool answers_within(std::chrono::milliseconds timeout) const;
  // Runs redis-cli against it; returns its output.
  std::string cli(std::string const& arguments) const;

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string directory_;
};

// A loopback TCP port nobody listens on right now.
std::uint16_t free_loopback_port();
// One below the ephemeral range, for a server that must come back on the same port: outgoing
// connections (which take ephemeral ports) cannot be holding it when it restarts.
std::uint16_t stable_loopback_port();

}  // namespace prodmcp::testing
