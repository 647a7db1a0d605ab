#include "logging/detached_failure.hpp"

#include <atomic>
#include <boost/system/system_error.hpp>

#include "logging/log.hpp"

namespace prodmcp::logging {

namespace {
std::atomic<std::uint64_t> failures{0};
}

void LogFailure::operator()(std::exception_ptr failure) const {
  if (!failure) return;
  std::string what;
  try {
    std::rethrow_exception(failure);
  } catch (boost::system::system_error const& error) {
    // A cancelled wait escaping at shutdown is how a coroutine ends then, not a failure.
    if (error.code() == boost::system::errc::operation_canceled) return;
    what = error.what();
  } catch (std::exception const& error) {
    what = error.what();
  } catch (...) {
    what = "unknown exception";
  }
  failures.fetch_add(1, std::memory_order_relaxed);
  write(Level::kError, "server", "coroutine_failed", json::object{{"where", where}, {"error", what}});
}

std::uint64_t coroutine_failures() { return failures.load(std::memory_order_relaxed); }

}  // namespace prodmcp::logging
