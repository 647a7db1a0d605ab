#pragma once
// MCP over stdio: newline-delimited JSON-RPC on stdin/stdout. The process is one session
// (after initialize) and also serves 2026-07-28 requests statelessly. Logs go to stderr only.
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <memory>

#include "protocol/engine.hpp"

namespace prodmcp::stdio {

struct StdioOptions {
  int input_fd = 0;
  int output_fd = 1;
  std::size_t max_message_bytes = 1 << 20;
  int max_json_depth = 64;  // limits.max_json_depth, as on HTTP
};

class StdioTransport {
 public:
  StdioTransport(protocol::Engine& engine, boost::asio::io_context& context, StdioOptions options);
  ~StdioTransport();
  // Reads messages until EOF (blocking the calling thread) while `context` runs elsewhere;
  // then cancels what is still running. Returns the process exit code.
  int run();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace prodmcp::stdio
