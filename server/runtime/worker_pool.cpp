#include "runtime/worker_pool.hpp"

namespace prodmcp::runtime {

WorkerPool::WorkerPool(std::size_t threads) {
  if (threads == 0) threads = 1;
  for (std::size_t i = 0; i < threads; ++i) {
    contexts_.push_back(std::make_unique<Context>(1));  // hint: one thread runs it (posting from others stays safe)
    guards_.emplace_back(contexts_.back()->get_executor());
  }
}

WorkerPool::~WorkerPool() {
  stop();
  for (auto& thread : threads_)
    if (thread.joinable()) thread.join();
}

asio::io_context& WorkerPool::next() {
  return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

void WorkerPool::run() {
  for (std::size_t i = 1; i < contexts_.size(); ++i)
    threads_.emplace_back([context = contexts_[i].get()] { context->run(); });
  contexts_.front()->run();
  for (auto& thread : threads_)
    if (thread.joinable()) thread.join();
  threads_.clear();
}

void WorkerPool::shutdown() {
  stop();
  for (auto& context : contexts_) context->destroy_queued();
}

void WorkerPool::stop() {
  guards_.clear();
  for (auto& context : contexts_) context->stop();
}

}  // namespace prodmcp::runtime
