#pragma once
// The completion of a coroutine nobody awaits (co_spawn(..., LogFailure{"where"})): asio's
// `detached` drops an escaping exception without a trace; this logs it (coroutine_failed, with
// where it ran and what it said) and counts it for mcp_coroutine_failures_total. The process, and
// every other connection, carry on.
#include <cstdint>
#include <exception>
#include <string_view>

namespace prodmcp::logging {

struct LogFailure {
  std::string_view where;  // a string literal: what the coroutine was doing
  void operator()(std::exception_ptr failure) const;
};

// Coroutines that ended with an exception since the process started.
std::uint64_t coroutine_failures();

}  // namespace prodmcp::logging
