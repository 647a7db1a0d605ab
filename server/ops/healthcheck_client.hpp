#pragma once
// `prodmcp-server healthcheck [ADMIN_URL]`: asks a running server's /ready, for container
// HEALTHCHECK and scripts. Plain Asio (no Beast), bounded by a timeout.
#include <chrono>
#include <string>

namespace prodmcp::ops {

struct HealthcheckResult {
  int exit_code = 1;    // 0: ready
  std::string summary;  // one line for the operator
};

HealthcheckResult run_healthcheck(std::string const& admin_url,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(3));

}  // namespace prodmcp::ops
