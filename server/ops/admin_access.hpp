#pragma once
// Who may use the admin port's protected routes (/logs, /config, /faults): a caller with the admin
// token (server.admin_token_hash), or, in the development profile, any caller on loopback. Requests
// from web pages (an Origin header not listed in server.allowed_origins) and, on a loopback
// listener, a Host naming another machine (DNS rebinding) are refused first. /metrics, /health
// and /ready stay open: Prometheus and the orchestrator's probes need them.
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/http_exchange.hpp"
#include "http/origin_policy.hpp"
#include "security/bearer_auth.hpp"

namespace prodmcp::ops {

struct AdminAccessPolicy {
  std::string token_hash;          // "sha256:<hex>" of the admin token; empty: none configured
  bool development = false;        // the development profile: loopback callers need no token
  bool loopback_listener = true;   // the admin port listens on loopback only
  std::vector<std::string> allowed_origins;  // browser origins allowed besides none
};

class AdminAccess {
 public:
  AdminAccess() { configure({}); }
  void configure(AdminAccessPolicy policy);  // safe while requests are served (config reload)
  // nullopt when `exchange` may use a protected route; otherwise the answer that refuses it.
  std::optional<http::Response> refusal(http::Exchange& exchange) const;

 private:
  struct State {
    AdminAccessPolicy policy;
    http::OriginPolicy hosts;
    security::BearerAuth token;
  };
  std::atomic<std::shared_ptr<State const>> state_;
};

// Whether a peer address ("127.0.0.1", "::1", "::ffff:127.0.0.1") is this machine's loopback.
bool is_loopback_address(std::string_view address);

}  // namespace prodmcp::ops
