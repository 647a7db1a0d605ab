#pragma once
// The MCP protocol revisions this server speaks, and what differs between them.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace prodmcp::protocol {

enum class Revision : std::uint8_t { k2025_03_26, k2025_06_18, k2025_11_25, k2026_07_28 };

inline constexpr Revision kNewestSessionRevision = Revision::k2025_11_25;
inline constexpr Revision kStatelessRevision = Revision::k2026_07_28;
// Newest first: the order server/discover and version errors advertise.
inline constexpr std::array kSupportedRevisions = {Revision::k2026_07_28, Revision::k2025_11_25,
                                                   Revision::k2025_06_18, Revision::k2025_03_26};

std::optional<Revision> parse_revision(std::string_view text);
std::string_view to_string(Revision revision);

// 2026-07-28 is stateless: per-request _meta instead of an initialize handshake.
constexpr bool is_stateless(Revision r) { return r == Revision::k2026_07_28; }
// Only 2025-03-26 allows JSON-RPC batches.
constexpr bool allows_batches(Revision r) { return r == Revision::k2025_03_26; }
// Implementation.title, tool titles, structured content and elicitation arrived in 2025-06-18.
constexpr bool has_titles(Revision r) { return r >= Revision::k2025_06_18; }
// Implementation.description/websiteUrl/icons arrived in 2025-11-25.
constexpr bool has_implementation_details(Revision r) { return r >= Revision::k2025_11_25; }
// SSE polling (priming event, retry, server-side close) arrived in 2025-11-25.
constexpr bool has_sse_polling(Revision r) { return r == Revision::k2025_11_25; }

}  // namespace prodmcp::protocol
