#pragma once
// MCP (RFC 5424) log levels, lowest first.
#include <cstdint>
#include <optional>
#include <string_view>

namespace prodmcp::protocol {

enum class LogLevel : std::uint8_t { kDebug, kInfo, kNotice, kWarning, kError, kCritical, kAlert, kEmergency };

std::optional<LogLevel> parse_log_level(std::string_view text);
std::string_view to_string(LogLevel level);

}  // namespace prodmcp::protocol
