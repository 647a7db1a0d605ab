#pragma once
// Opaque cursors for the list methods: a page is a window of the list in registration order.
#include <boost/json/object.hpp>
#include <cstddef>
#include <optional>
#include <string>

namespace prodmcp::protocol {

struct Page {
  std::size_t begin;
  std::size_t end;
  std::optional<std::string> next_cursor;
};

// Throws RpcError(-32602) for a cursor this server did not issue.
Page page_of(boost::json::object const& params, std::size_t total, std::size_t page_size);

}  // namespace prodmcp::protocol
