// prodmcp-server --stdio: newline-delimited JSON-RPC on pipes.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "server_under_test.hpp"

namespace json = boost::json;

namespace {

class StdioServer {
 public:
  explicit StdioServer(std::vector<std::string> extra_args = {}) {
    std::vector<std::string> args{prodmcp::testing::server_binary(), "--stdio", "--conformance-fixtures"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    int in[2], out[2];
    EXPECT_EQ(::pipe2(in, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      int const null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 2);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    to_server_ = in[1];
    from_server_ = out[0];
  }
  ~StdioServer() {
    close_input();
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(from_server_);
  }

  void send(std::string const& line) { ASSERT_EQ(::write(to_server_, line.data(), line.size()), static_cast<ssize_t>(line.size())); }
  void close_input() {
    if (to_server_ >= 0) ::close(to_server_);
    to_server_ = -1;
  }

  // The next line the server writes, or "" after 10 s.
  std::string read_line() {
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      if (auto newline = buffer_.find('\n'); newline != std::string::npos) {
        std::string line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        return line;
      }
      auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return {};
      pollfd p{from_server_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char chunk[4096];
      auto const n = ::read(from_server_, chunk, sizeof chunk);
      if (n <= 0) return {};
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  // Exit status once the process ends (within 10 s), else -1.
  int wait_exit() {
    for (int i = 0; i < 400; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  int to_server_ = -1;
  int from_server_ = -1;
  std::string buffer_;
};

}  // namespace

TEST(Stdio, GarbageGetsAnErrorAndTheNextLineIsServed) {
  StdioServer server;
  server.send("this is not json\n");
  auto error = json::parse(server.read_line());
  EXPECT_EQ(error.at("error").at("code").as_int64(), -32700);
  EXPECT_TRUE(error.at("id").is_null());
  server.send(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})" "\n");
  auto initialized = json::parse(server.read_line());
  EXPECT_EQ(initialized.at("result").at("protocolVersion").as_string(), "2025-06-18");
  server.send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})" "\n");
  server.send(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"message":"over stdio"}}})" "\n");
  auto echoed = json::parse(server.read_line());
  EXPECT_EQ(echoed.at("result").at("content").at(0).at("text").as_string(), "over stdio");
}

TEST(Stdio, ServesStatelessRequestsWithoutInitialize) {
  StdioServer server;
  server.send(R"({"jsonrpc":"2.0","id":"d","method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})" "\n");
  auto discovered = json::parse(server.read_line());
  EXPECT_EQ(discovered.at("result").at("resultType").as_string(), "complete");
  server.send(R"({"jsonrpc":"2.0","id":3,"method":"tools/list"})" "\n");
  EXPECT_EQ(json::parse(server.read_line()).at("error").at("code").as_int64(), -32600);
}

TEST(Stdio, EndOfInputExitsCleanly) {
  StdioServer server;
  server.send(R"({"jsonrpc":"2.0","id":1,"method":"ping"})");  // last line without a newline
  server.close_input();
  EXPECT_EQ(json::parse(server.read_line()).at("id").as_int64(), 1);
  EXPECT_EQ(server.wait_exit(), 0);
}

TEST(Stdio, HonoursTheConfiguredJsonDepthLimit) {
  auto const config = std::filesystem::temp_directory_path() / ("prodmcp-stdio-depth-" + std::to_string(::getpid()) + ".toml");
  { std::ofstream(config) << "[limits]\nmax_json_depth = 8\n"; }
  StdioServer server({"--config", config.string()});
  server.send(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"_meta":{"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":1}}}}}}}}}})" "\n");
  auto too_deep = json::parse(server.read_line());
  EXPECT_EQ(too_deep.at("error").at("code").as_int64(), -32700);
  server.send(R"({"jsonrpc":"2.0","id":2,"method":"ping","params":{"_meta":{}}})" "\n");
  EXPECT_EQ(json::parse(server.read_line()).at("id").as_int64(), 2);
  std::filesystem::remove(config);
}

// Batches go through the engine's one batch path, as on HTTP: one array back, in order, with no
// entry for a notification; outside a 2025-03-26 session the whole batch is refused.
TEST(Stdio, AnswersABatchWithOneArrayInOrder) {
  StdioServer server;
  server.send(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})" "\n");
  ASSERT_EQ(json::parse(server.read_line()).at("result").at("protocolVersion").as_string(), "2025-03-26");
  server.send(R"([{"jsonrpc":"2.0","method":"notifications/initialized"},)"
              R"({"jsonrpc":"2.0","id":"b","method":"tools/call","params":{"name":"echo","arguments":{"message":"second"}}},)"
              R"({"jsonrpc":"2.0","id":"a","method":"ping"},)"
              R"({"jsonrpc":"2.0","id":"c","method":"initialize","params":{}}])" "\n");
  auto const answers = json::parse(server.read_line());
  ASSERT_TRUE(answers.is_array()) << answers;
  ASSERT_EQ(answers.as_array().size(), 3u) << answers;
  EXPECT_EQ(answers.at(0).at("id").as_string(), "b");
  EXPECT_EQ(answers.at(0).at("result").at("content").at(0).at("text").as_string(), "second");
  EXPECT_EQ(answers.at(1).at("id").as_string(), "a");
  EXPECT_EQ(answers.at(2).at("error").at("code").as_int64(), -32600);
}

TEST(Stdio, RefusesABatchOutsideA20250326Session) {
  StdioServer server;
  server.send(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])" "\n");
  auto const refused = json::parse(server.read_line());
  EXPECT_EQ(refused.at("error").at("code").as_int64(), -32600);
  EXPECT_NE(std::string(refused.at("error").at("message").as_string()).find("2025-03-26"), std::string::npos);
  server.send(R"({"jsonrpc":"2.0","id":2,"method":"ping"})" "\n");
  EXPECT_EQ(json::parse(server.read_line()).at("id").as_int64(), 2);
}
