#pragma once
// DNS-rebinding defence: which Host and Origin values a request may carry.
#include <string>
#include <string_view>
#include <vector>

namespace prodmcp::http {

class OriginPolicy {
 public:
  // `loopback_only`: the server listens on a loopback address, so a Host naming anything else
  // means a browser was tricked into calling it. `allowed_origins`: extra origins (scheme://host[:port]).
  OriginPolicy(bool loopback_only, std::vector<std::string> allowed_origins);
  OriginPolicy() : OriginPolicy(true, {}) {}

  bool host_allowed(std::string_view host) const;
  // An absent Origin (non-browser clients) is allowed.
  bool origin_allowed(std::string_view origin) const;

 private:
  bool loopback_only_;
  std::vector<std::string> allowed_origins_;
};

// "localhost", "127.0.0.1", "[::1]", with or without a port.
bool is_loopback_host(std::string_view host_and_port);

}  // namespace prodmcp::http
