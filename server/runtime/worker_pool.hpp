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

 private:
  using WorkGuard = asio::executor_work_guard<asio::io_context::executor_type>;
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<WorkGuard> guards_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace prodmcp::runtime
