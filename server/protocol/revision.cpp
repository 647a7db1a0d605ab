#include "protocol/revision.hpp"

namespace prodmcp::protocol {

namespace {
constexpr std::array<std::pair<Revision, std::string_view>, 4> kNames = {{
    {Revision::k2025_03_26, "2025-03-26"},
    {Revision::k2025_06_18, "2025-06-18"},
    {Revision::k2025_11_25, "2025-11-25"},
    {Revision::k2026_07_28, "2026-07-28"},
}};
}  // namespace

std::optional<Revision> parse_revision(std::string_view text) {
  for (auto const& [revision, name] : kNames)
    if (name == text) return revision;
  return std::nullopt;
}

std::string_view to_string(Revision revision) {
  for (auto const& [r, name] : kNames)
    if (r == revision) return name;
  return "unknown";
}

}  // namespace prodmcp::protocol
