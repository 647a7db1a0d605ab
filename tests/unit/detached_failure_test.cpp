// A coroutine nobody awaits that throws is logged and counted, not lost; one cancelled at shutdown
// is neither.
#include "logging/detached_failure.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>
#include <stdexcept>

namespace asio = boost::asio;
using prodmcp::logging::coroutine_failures;
using prodmcp::logging::LogFailure;

TEST(LogFailure, CountsACoroutineThatThrowsAndNotOneThatWasCancelled) {
  asio::io_context io;
  auto const before = coroutine_failures();
  asio::co_spawn(io, []() -> asio::awaitable<void> {
    throw std::runtime_error("the handler broke");
    co_return;
  }, LogFailure{"test"});
  asio::co_spawn(io, []() -> asio::awaitable<void> {
    throw boost::system::system_error(asio::error::operation_aborted);
    co_return;
  }, LogFailure{"test"});
  asio::co_spawn(io, []() -> asio::awaitable<void> { co_return; }, LogFailure{"test"});
  EXPECT_NO_THROW(io.run());
  EXPECT_EQ(coroutine_failures(), before + 1);
}
