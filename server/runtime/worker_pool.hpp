#pragma once
// One io_context per worker thread: connections are spread round-robin, and everything a
// connection does stays on its thread, so the hot path takes no locks between threads.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace prodmcp::runtime {

namespace asio = boost::asio;

class WorkerPool {
 public:
  explicit WorkerPool(std::size_t threads);
  ~WorkerPool();
  WorkerPool(WorkerPool const&) = delete;
  WorkerPool& operator=(WorkerPool const&) = delete;

  std::size_t size() const { return contexts_.size(); }
  // The context that accepts connections and runs timers of the whole server.
  asio::io_context& main() { return *contexts_.front(); }
  // The context for the next connection.
  asio::io_context& next();

  // Runs the workers; the calling thread runs main() until stop().
  void run();
  void stop();
  // After run(): destroys what is still queued on every context (the coroutine frames of
  // connections open at stop, their sockets and timers) while every context, and whatever those
  // frames refer to, still exists. The destructor would do it one context at a time, after the
  // listeners and endpoints declared after the pool are gone.
  void shutdown();

 private:
  // An io_context whose queued work can be destroyed before it is.
  struct Context : asio::io_context {
    using asio::io_context::io_context;
    void destroy_queued() { asio::execution_context::shutdown(); }
  };
  using WorkGuard = asio::executor_work_guard<asio::io_context::executor_type>;
  std::vector<std::unique_ptr<Context>> contexts_;
  std::vector<WorkGuard> guards_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace prodmcp::runtime
