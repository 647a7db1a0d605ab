#pragma once
// Seals the requestState of multi round-trip requests (2026-07-28). The client echoes it back, so
// it is untrusted: it carries an HMAC-SHA256 tag and an expiry, and is refused when either fails.
#include <boost/json/object.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace prodmcp::protocol {

class RequestStateCodec {
 public:
  // An empty secret picks a random one (fine for one process; replicas must share one).
  explicit RequestStateCodec(std::string secret = {}, std::chrono::seconds lifetime = std::chrono::minutes(10));

  std::string seal(boost::json::object const& state) const;
  // Empty when the token was altered, forged, malformed or expired.
  std::optional<boost::json::object> open(std::string_view token) const;

 private:
  std::string secret_;
  std::chrono::seconds lifetime_;
};

std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace prodmcp::protocol
