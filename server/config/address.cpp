#include "config/address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>

namespace prodmcp::config {

std::optional<HostPort> parse_host_port(std::string_view text, std::string& problem) {
  auto const colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    problem = "expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080";
    return std::nullopt;
  }
  HostPort result;
  auto host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    problem = "put an IPv6 address in brackets, e.g. [::1]:8080";
    return std::nullopt;
  }
  result.host = host.empty() ? "127.0.0.1" : std::string(host);
  auto const port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto const [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    problem = "the port must be a number from 0 to 65535 (0 picks a free port)";
    return std::nullopt;
  }
  result.port = static_cast<std::uint16_t>(port);
  return result;
}

bool is_ip_address(std::string const& text) {
  unsigned char buffer[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, text.c_str(), buffer) == 1 || ::inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

bool is_loopback_host(std::string_view host) {
  return host.starts_with("127.") || host == "::1" || host == "localhost";
}

std::string format_host_port(std::string_view host, std::uint16_t port) {
  auto const bracketed = host.find(':') != std::string_view::npos;
  return (bracketed ? "[" + std::string(host) + "]" : std::string(host)) + ":" + std::to_string(port);
}

}  // namespace prodmcp::config
