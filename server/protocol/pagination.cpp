#include "protocol/pagination.hpp"

#include <charconv>

#include "protocol/jsonrpc.hpp"
#include "protocol/request_state.hpp"

namespace prodmcp::protocol {

namespace {
constexpr std::string_view kPrefix = "offset:";
}

Page page_of(boost::json::object const& params, std::size_t total, std::size_t page_size) {
  std::size_t begin = 0;
  if (auto const* cursor = params.if_contains("cursor"); cursor && !cursor->is_null()) {
    auto const invalid = RpcError{error_code::kInvalidParams,
                                  "invalid cursor: pass the nextCursor of a previous page unchanged, or omit it"};
    if (!cursor->is_string()) throw invalid;
    auto const decoded = base64url_decode(cursor->get_string());
    if (!decoded || !decoded->starts_with(kPrefix)) throw invalid;
    auto const digits = std::string_view(*decoded).substr(kPrefix.size());
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), begin);
    if (ec != std::errc{} || end != digits.data() + digits.size() || begin > total) throw invalid;
  }
  Page page{begin, std::min(total, begin + page_size), std::nullopt};
  if (page.end < total) page.next_cursor = base64url_encode(std::string(kPrefix) + std::to_string(page.end));
  return page;
}

}  // namespace prodmcp::protocol
