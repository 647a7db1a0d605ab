#pragma once
// Bearer-token authentication of /mcp requests. Tokens are known only as SHA-256 hashes and
// compared in constant time; the client table can be swapped at runtime (config reload).
#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace prodmcp::security {

class BearerAuth {
 public:
  struct Outcome {
    bool allowed = false;
    std::string client_id;  // who it is, when allowed ("anonymous" while auth is off)
    std::string problem;    // why not, when refused (for the 401 body and WWW-Authenticate)
    bool authenticated = false;  // a token named the client (auth is on)
  };

  // `clients`: client id -> "sha256:<hex>" of its token.
  void configure(bool enabled, std::map<std::string, std::string> const& clients);
  bool enabled() const;
  // `authorization`: the request's Authorization header value (may be empty).
  Outcome authenticate(std::string_view authorization) const;

 private:
  struct Table {
    bool enabled = false;
    std::map<std::string, std::string> hashes;  // lower-case "sha256:<hex>" -> client id
  };
  std::atomic<std::shared_ptr<Table const>> table_{std::make_shared<Table const>()};
};

}  // namespace prodmcp::security
