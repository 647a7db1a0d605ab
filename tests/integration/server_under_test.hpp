#pragma once
// A prodmcp-server process on a free loopback port for one test, and a raw HTTP/1.1 client that
// can send anything (including what a well-behaved client never would).
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace prodmcp::testing {

// The prodmcp-server under test: this build's, or the one PRODMCP_TEST_SERVER names (the same
// tests against a server built otherwise, e.g. with ThreadSanitizer).
std::string const& server_binary();

struct ServerLaunch {
  std::vector<std::string> arguments;                            // after the defaults
  std::vector<std::pair<std::string, std::string>> environment;  // set in the server's environment
  std::uint64_t descriptor_limit = 0;  // the soft and hard RLIMIT_NOFILE of the server; 0: inherited
};

class ServerUnderTest {
 public:
  explicit ServerUnderTest(std::vector<std::string> extra_arguments = {});
  explicit ServerUnderTest(ServerLaunch launch);
  ~ServerUnderTest();
  std::uint16_t port() const { return port_; }
  std::uint16_t admin_port() const { return admin_port_; }  // 0 unless --admin-listen was given
  bool running();  // false once the process has exited
  void signal(int number);
  // The exit status once the process ends within `timeout`; -1 if it did not.
  int wait_exit(std::chrono::milliseconds timeout);
  // Everything the server wrote to stderr (its log) so far.
  std::string log() const;
  // The last `lines` lines of the log, for failure messages.
  std::string log_tail(std::size_t lines = 60) const;
  // Waits until the log contains `text`; false after `timeout`.
  bool wait_for_log(std::string const& text, std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

 private:
  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::uint16_t admin_port_ = 0;
  std::string ports_file_;
  std::string log_file_;
};

// Runs prodmcp-server with `arguments` to completion; returns its exit status and stdout+stderr.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult run_server_command(std::vector<std::string> const& arguments,
                                 std::vector<std::pair<std::string, std::string>> const& environment = {});

struct HttpReply {
  int status = 0;              // 0: no reply (see `failure`)
  std::string failure;         // why there is no reply (attempt_request only)
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;                            // de-chunked
  std::string header(std::string const& name) const;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The headers a conforming MCP client sends with a POST.
HeaderList mcp_headers(std::string const& session_id = {});

// The bytes of one HTTP/1.1 request to 127.0.0.1:`port`, with Content-Length (and, unless
// `keep_alive`, Connection: close): what http_request sends, for tests that send it themselves.
std::string request_text(std::uint16_t port, std::string const& method, std::string const& path,
                         HeaderList const& headers, std::string const& body, bool keep_alive = false);

// One request on a fresh connection; reads the whole reply (until Content-Length, the last chunk,
// or the server closing). Throws on connect failure or when no reply comes within `timeout`.
HttpReply http_request(std::uint16_t port, std::string const& method, std::string const& path,
                       HeaderList const& headers, std::string const& body,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

// As http_request, but never throws: a request that got no reply comes back with status 0 and
// `failure` saying why (for load threads, which must count failures, not die of them).
HttpReply attempt_request(std::uint16_t port, std::string const& method, std::string const& path,
                          HeaderList const& headers, std::string const& body,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10)) noexcept;

// Polls `condition` until it holds; false after `timeout`. Tests wait on conditions, never on a
// fixed sleep that assumes a fast machine.
bool wait_until(std::function<bool()> const& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll = std::chrono::milliseconds(20));

// Sends `raw` bytes as they are, then reads a reply as http_request does.
HttpReply raw_request(std::uint16_t port, std::string const& raw,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A connected socket (for idle and slow clients); closes on destruction.
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port);
  ~RawConnection();
  RawConnection(RawConnection&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  bool send(std::string const& bytes);
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

// Reads from `fd` into `data` until it holds `needle`; false after `timeout` or when the peer closes
// first.
bool read_until(int fd, std::string& data, std::string const& needle,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Starts a 2025-11-25 (or other) session; returns its id.
std::string initialize_session(std::uint16_t port, std::string const& version = "2025-11-25");

}  // namespace prodmcp::testing
