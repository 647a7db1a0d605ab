#pragma once
// Retries an asynchronous operation: awaits each attempt and sleeps on an asio::steady_timer between
// attempts, until a success, a failure that is final, work that is not idempotent, or the attempt limit.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <stdexcept>
#include <type_traits>

#include "resilience/backoff.hpp"

namespace prodmcp::resilience {

namespace asio = boost::asio;

// Thrown by an attempt whose failure is transient (a timeout, a reset connection, a 503): another try may work.
class RetryableError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The default classification: only a RetryableError is worth another attempt. Cancellation, bad input and
// anything unknown are final.
inline bool is_retryable_error(std::exception_ptr const& error) {
  try {
    std::rethrow_exception(error);
  } catch (RetryableError const&) {
    return true;
  } catch (...) {
    return false;
  }
}

namespace detail {
template <class Awaitable>
struct AwaitableResult;
template <class T>
struct AwaitableResult<asio::awaitable<T>> {
  using type = T;
};
}  // namespace detail

// `attempt()` returns asio::awaitable<R> and is called once per attempt; `is_retryable(std::exception_ptr)`
// tells a transient failure from a final one. When retries stop, the last failure is rethrown. A custom
// predicate must keep cancellation (operation_aborted) final, or a cancelled caller would keep retrying.
template <class Attempt, class IsRetryable = bool (*)(std::exception_ptr const&)>
auto retry_with_backoff(RetryPolicy policy, bool idempotent, Attempt attempt,
                        IsRetryable is_retryable = &is_retryable_error, UnitRandom random = default_unit_random())
    -> asio::awaitable<typename detail::AwaitableResult<std::invoke_result_t<Attempt&>>::type> {
  using Result = typename detail::AwaitableResult<std::invoke_result_t<Attempt&>>::type;
  for (int attempts_made = 1;; ++attempts_made) {
    std::exception_ptr failure;
    try {
      if constexpr (std::is_void_v<Result>) {
        co_await attempt();
        co_return;
      } else {
        co_return co_await attempt();
      }
    } catch (...) {
      failure = std::current_exception();  // a coroutine cannot co_await inside a handler
    }
    if (!should_retry(policy, idempotent, attempts_made) || !is_retryable(failure)) std::rethrow_exception(failure);
    auto const delay = backoff_delay(policy, attempts_made - 1, random);
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

}  // namespace prodmcp::resilience
