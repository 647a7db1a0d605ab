#include "http/origin_policy.hpp"

#include <algorithm>
#include <cctype>

namespace prodmcp::http {

namespace {
std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view strip_port(std::string_view host) {
  if (host.starts_with('[')) {  // IPv6 literal
    auto const end = host.find(']');
    return end == std::string_view::npos ? host : host.substr(0, end + 1);
  }
  auto const colon = host.find(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}
}  // namespace

bool is_loopback_host(std::string_view host_and_port) {
  auto const host = lowercase(strip_port(host_and_port));
  return host == "localhost" || host == "127.0.0.1" || host == "[::1]" || host.ends_with(".localhost");
}

OriginPolicy::OriginPolicy(bool loopback_only, std::vector<std::string> allowed_origins)
    : loopback_only_(loopback_only) {
  for (auto const& origin : allowed_origins) allowed_origins_.push_back(lowercase(origin));
}

bool OriginPolicy::host_allowed(std::string_view host) const {
  if (!loopback_only_) return true;
  return host.empty() || is_loopback_host(host);
}

bool OriginPolicy::origin_allowed(std::string_view origin) const {
  if (origin.empty()) return true;
  auto const normalized = lowercase(origin);
  if (std::find(allowed_origins_.begin(), allowed_origins_.end(), normalized) != allowed_origins_.end()) return true;
  for (std::string_view scheme : {"http://", "https://"})
    if (std::string_view(normalized).starts_with(scheme))
      return is_loopback_host(std::string_view(normalized).substr(scheme.size()));
  return false;  // "null", file://, and anything else foreign
}

}  // namespace prodmcp::http
