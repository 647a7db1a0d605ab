#include "ops/admin_access.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>

#include "http/http_listener.hpp"

namespace prodmcp::ops {

namespace {

http::Response refused(int status, std::string const& error, std::string const& hint) {
  auto response = http::json_response(status, boost::json::serialize(boost::json::object{{"error", error}, {"hint", hint}}));
  if (status == 401) response.headers.emplace_back("WWW-Authenticate", R"(Bearer realm="prodmcp-admin")");
  return response;
}

bool listed(std::vector<std::string> const& origins, std::string_view origin) {
  return std::any_of(origins.begin(), origins.end(),
                     [origin](std::string const& allowed) { return http::iequals(allowed, origin); });
}

}  // namespace

bool is_loopback_address(std::string_view address) {
  boost::system::error_code error;
  auto const parsed = boost::asio::ip::make_address(address, error);
  if (error) return false;
  if (parsed.is_v6() && parsed.to_v6().is_v4_mapped())
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, parsed.to_v6()).is_loopback();
  return parsed.is_loopback();
}

void AdminAccess::configure(AdminAccessPolicy policy) {
  auto state = std::make_shared<State>();
  state->hosts = http::OriginPolicy(policy.loopback_listener, {});
  if (!policy.token_hash.empty()) state->token.configure(true, {{"admin", policy.token_hash}});
  state->policy = std::move(policy);
  state_.store(std::move(state));
}

std::optional<http::Response> AdminAccess::refusal(http::Exchange& exchange) const {
  auto const state = state_.load();
  auto const& policy = state->policy;
  // Browsers send Origin on every cross-site request; the console and curl send none.
  if (exchange.has_header("Origin") && !listed(policy.allowed_origins, exchange.header("Origin")))
    return refused(403, "requests from web pages are refused on the admin port",
                   "call it from a script or the console, or list the page's origin in server.allowed_origins");
  if (!state->hosts.host_allowed(exchange.header("Host")))
    return refused(403, "the Host header names another machine, but the admin port listens on loopback",
                   "call it as 127.0.0.1 or localhost");
  if (policy.development && is_loopback_address(exchange.remote_address())) return std::nullopt;
  if (policy.token_hash.empty())
    return refused(403, "this route needs the admin token, and none is configured",
                   "set server.admin_token_hash (`prodmcp-server hash-token` hashes a token) and send "
                   "Authorization: Bearer <token>; without one only loopback callers in the development profile "
                   "may use it");
  if (auto const outcome = state->token.authenticate(exchange.header("Authorization")); !outcome.allowed)
    return refused(401, outcome.problem, "send the admin token: Authorization: Bearer <token>");
  return std::nullopt;
}

}  // namespace prodmcp::ops
