// retry_with_backoff on a real io_context with millisecond delays: what is retried and what is not.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <system_error>

#include "resilience/retry.hpp"

namespace asio = boost::asio;
using namespace prodmcp::resilience;
using namespace std::chrono_literals;

namespace {
// Tiny delays keep a whole test well under 10 ms of sleeping.
RetryPolicy const kFast{3, 1ms, 2ms};

template <class T>
T run(asio::io_context& io, asio::awaitable<T> work) {
  auto future = asio::co_spawn(io, std::move(work), asio::use_future);
  io.run();
  return future.get();
}

UnitRandom counting(int& draws) {
  return [&draws] {
    ++draws;
    return 0.5;
  };
}
}  // namespace

TEST(Retry, RetriesTransientFailuresUntilSuccess) {
  asio::io_context io;
  int calls = 0;
  int sleeps = 0;
  auto attempt = [&calls]() -> asio::awaitable<int> {
    if (++calls < 3) throw RetryableError("transient " + std::to_string(calls));
    co_return 42;
  };
  EXPECT_EQ(run(io, retry_with_backoff(kFast, true, attempt, &is_retryable_error, counting(sleeps))), 42);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(sleeps, 2);
}

TEST(Retry, RethrowsTheLastFailureWhenAttemptsRunOut) {
  asio::io_context io;
  int calls = 0;
  auto attempt = [&calls]() -> asio::awaitable<int> {
    throw RetryableError("failure " + std::to_string(++calls));
    co_return 0;
  };
  try {
    run(io, retry_with_backoff(kFast, true, attempt));
    FAIL() << "expected the last failure";
  } catch (RetryableError const& error) {
    EXPECT_STREQ(error.what(), "failure 3");
  }
  EXPECT_EQ(calls, 3);
}

TEST(Retry, NeverRetriesWorkThatIsNotIdempotent) {
  asio::io_context io;
  int calls = 0;
  auto attempt = [&calls]() -> asio::awaitable<int> {
    ++calls;
    throw RetryableError("transient");
    co_return 0;
  };
  EXPECT_THROW(run(io, retry_with_backoff(kFast, false, attempt)), RetryableError);
  EXPECT_EQ(calls, 1);
}

TEST(Retry, FinalErrorsAreNotRetried) {
  asio::io_context io;
  int calls = 0;
  auto attempt = [&calls]() -> asio::awaitable<int> {
    ++calls;
    throw std::invalid_argument("bad input");
    co_return 0;
  };
  EXPECT_THROW(run(io, retry_with_backoff(kFast, true, attempt)), std::invalid_argument);
  EXPECT_EQ(calls, 1);
}

TEST(Retry, ACustomPredicateClassifiesErrors) {
  asio::io_context io;
  int calls = 0;
  auto attempt = [&calls]() -> asio::awaitable<void> {
    if (++calls == 1) throw std::system_error(std::make_error_code(std::errc::timed_out));
    co_return;
  };
  auto timeouts_are_transient = [](std::exception_ptr const& error) {
    try {
      std::rethrow_exception(error);
    } catch (std::system_error const& e) {
      return e.code() == std::errc::timed_out;
    } catch (...) {
      return false;
    }
  };
  run(io, retry_with_backoff(kFast, true, attempt, timeouts_are_transient));
  EXPECT_EQ(calls, 2);
}

TEST(Retry, ASingleAttemptPolicyDoesNotRetry) {
  asio::io_context io;
  int calls = 0;
  auto attempt = [&calls]() -> asio::awaitable<std::string> {
    ++calls;
    throw RetryableError("transient");
    co_return std::string();
  };
  RetryPolicy const once{1, 1ms, 2ms};
  EXPECT_THROW(run(io, retry_with_backoff(once, true, attempt)), RetryableError);
  EXPECT_EQ(calls, 1);
}
