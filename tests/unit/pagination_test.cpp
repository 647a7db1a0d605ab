#include <boost/json/object.hpp>
#include <gtest/gtest.h>

#include "protocol/jsonrpc.hpp"
#include "protocol/pagination.hpp"

namespace json = boost::json;
using namespace prodmcp::protocol;

TEST(Pagination, WalksAllPagesWithCursors) {
  json::object params;
  std::size_t seen = 0;
  for (int pages = 0; pages < 10; ++pages) {
    auto const page = page_of(params, 25, 10);
    EXPECT_EQ(page.begin, seen);
    seen = page.end;
    if (!page.next_cursor) break;
    params["cursor"] = *page.next_cursor;
  }
  EXPECT_EQ(seen, 25u);
}

TEST(Pagination, RejectsForgedCursors) {
  json::object params{{"cursor", "not-a-cursor"}};
  try {
    page_of(params, 5, 10);
    FAIL() << "expected an RpcError";
  } catch (RpcError const& error) {
    EXPECT_EQ(error.code, error_code::kInvalidParams);
  }
}
