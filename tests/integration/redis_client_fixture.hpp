#pragma once
// A RedisClient on its own thread plus a worker thread that issues commands, as in the server.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <thread>

#include "cache/redis_client.hpp"

namespace prodmcp::testing {

namespace asio = boost::asio;

// The client on its own thread, and a second thread playing the server's workers.
class ClientFixture {
 public:
  explicit ClientFixture(cache::RedisOptions options) : client_(redis_io_, std::move(options)) {
    client_.start();
    redis_thread_ = std::thread([this] { redis_io_.run(); });
    worker_thread_ = std::thread([this] { worker_io_.run(); });
  }
  ~ClientFixture() {
    client_.stop();
    redis_guard_.reset();
    worker_guard_.reset();
    redis_thread_.join();
    worker_thread_.join();
  }

  cache::RedisResult run(std::vector<std::string> arguments) { return await(client_.command(std::move(arguments))); }

  // Runs a coroutine on the worker thread and waits for its result.
  template <class T>
  T await(asio::awaitable<T> work) {
    return asio::co_spawn(worker_io_, std::move(work), asio::use_future).get();
  }

  bool wait_connected(std::chrono::milliseconds timeout) {
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    while (!client_.connected()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  cache::RedisClient& client() { return client_; }

 private:
  asio::io_context redis_io_;
  asio::io_context worker_io_;
  asio::executor_work_guard<asio::io_context::executor_type> redis_guard_{redis_io_.get_executor()};
  asio::executor_work_guard<asio::io_context::executor_type> worker_guard_{worker_io_.get_executor()};
  cache::RedisClient client_;
  std::thread redis_thread_;
  std::thread worker_thread_;
};

inline cache::RedisOptions options_for(std::string url) {
  cache::RedisOptions options;
  options.url = std::move(url);
  options.command_timeout = std::chrono::milliseconds(200);
  options.reconnect_base = std::chrono::milliseconds(20);
  options.reconnect_max = std::chrono::milliseconds(200);
  return options;
}

}  // namespace prodmcp::testing
