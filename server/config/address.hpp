#pragma once
// "HOST:PORT" listen addresses as config and flags write them: "127.0.0.1:8080", "[::1]:0", ":8080".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace prodmcp::config {

struct HostPort {
  std::string host;  // without IPv6 brackets; empty host in the text means 127.0.0.1
  std::uint16_t port = 0;
};

std::optional<HostPort> parse_host_port(std::string_view text, std::string& problem);
bool is_loopback_host(std::string_view host);
// An IPv4 or IPv6 address, written as one ("10.0.0.7", "::1"), not a host name.
bool is_ip_address(std::string const& text);
// "127.0.0.1:8080", "[::1]:8080": the form URLs need.
std::string format_host_port(std::string_view host, std::uint16_t port);

}  // namespace prodmcp::config
