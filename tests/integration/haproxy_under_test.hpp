#pragma once
// HAProxy on a free loopback port in front of prodmcp-server replicas, run from the shipped
// installers/haproxy/haproxy.cfg, with its runtime API to see which replicas it sends traffic to.
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace prodmcp::testing {

struct Replica {
  std::uint16_t port = 0;
  std::uint16_t admin_port = 0;
};

class HaproxyUnderTest {
 public:
  // Exactly three replicas, named replica-1 … replica-3 in its config and in X-Served-By.
  explicit HaproxyUnderTest(std::vector<Replica> const& replicas, std::string check_interval = "100ms");
  ~HaproxyUnderTest();
  std::uint16_t port() const { return port_; }
  // Each replica's state as HAProxy sees it: "UP", "DOWN", "UP 1/2", "NOLB", …
  std::map<std::string, std::string> states() const;
  // Waits until replica `name` is in `state` (as states() spells it); false after `timeout`.
  bool wait_for(std::string const& name, std::string const& state,
                std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::string directory_;
  std::string socket_;
};

}  // namespace prodmcp::testing
