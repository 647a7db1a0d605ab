#include "server_under_test.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace prodmcp::testing {

std::string const& server_binary() {
  static std::string const binary = [] {
    char const* chosen = std::getenv("PRODMCP_TEST_SERVER");
    return std::string(chosen && *chosen ? chosen : PRODMCP_SERVER_BINARY);
  }();
  return binary;
}


namespace {
std::string lowercase(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

int connect_loopback(std::uint16_t port) {
  int const fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + " failed");
  }
  return fd;
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    auto const n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Parses what has arrived; true when the reply is complete.
bool parse_reply(std::string const& data, bool closed, HttpReply& reply) {
  auto const header_end = data.find("\r\n\r\n");
  if (header_end == std::string::npos) return false;
  std::istringstream head(data.substr(0, header_end));
  std::string line;
  std::getline(head, line);
  reply.status = std::atoi(line.substr(line.find(' ') + 1, 3).c_str());
  reply.headers.clear();
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto const colon = line.find(':');
    if (colon == std::string::npos) continue;
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    reply.headers[lowercase(line.substr(0, colon))] = value;
  }
  std::string const body = data.substr(header_end + 4);
  if (reply.status == 100) return false;  // interim; the real reply follows
  if (auto it = reply.headers.find("content-length"); it != reply.headers.end()) {
    auto const length = static_cast<std::size_t>(std::stoul(it->second));
    if (body.size() < length) return closed && (reply.body = body, true);
    reply.body = body.substr(0, length);
    return true;
  }
  if (lowercase(reply.header("transfer-encoding")) == "chunked") {
    reply.body.clear();
    std::size_t position = 0;
    for (;;) {
      auto const line_end = body.find("\r\n", position);
      if (line_end == std::string::npos) return closed;
      auto const size = std::stoul(body.substr(position, line_end - position), nullptr, 16);
      if (size == 0) return true;
      if (body.size() < line_end + 2 + size + 2) return closed;
      reply.body += body.substr(line_end + 2, size);
      position = line_end + 2 + size + 2;
    }
  }
  reply.body = body;
  return closed || reply.status == 202 || reply.status == 204;
}

HttpReply read_reply(int fd, std::chrono::milliseconds timeout) {
  std::string data;
  HttpReply reply;
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[65536];
  for (;;) {
    // A 100 Continue may precede the real reply: drop it.
    if (data.starts_with("HTTP/1.1 100")) {
      auto const end = data.find("\r\n\r\n");
      if (end != std::string::npos) data.erase(0, end + 4);
    }
    if (parse_reply(data, false, reply)) return reply;
    auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("no complete reply within the timeout; got: " + data.substr(0, 300));
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    auto const n = ::recv(fd, buffer, sizeof buffer, 0);
    int const recv_error = errno;
    if (n <= 0) {
      if (parse_reply(data, true, reply)) return reply;
      std::string const how = n < 0 ? std::string(" (") + std::strerror(recv_error) + ")" : std::string();
      throw std::runtime_error("connection closed without a reply" + how + "; got: " + data.substr(0, 300));
    }
    data.append(buffer, static_cast<std::size_t>(n));
  }
}

std::string temporary_path() {
  char pattern[] = "/tmp/prodmcp-test-XXXXXX";
  int const fd = ::mkstemp(pattern);
  ::close(fd);
  ::unlink(pattern);
  return pattern;
}

}  // namespace

std::string HttpReply::header(std::string const& name) const {
  auto it = headers.find(lowercase(name));
  return it == headers.end() ? std::string() : it->second;
}

ServerUnderTest::ServerUnderTest(std::vector<std::string> extra_arguments)
    : ServerUnderTest(ServerLaunch{std::move(extra_arguments), {}}) {}

ServerUnderTest::ServerUnderTest(ServerLaunch launch) {
  ports_file_ = temporary_path();
  log_file_ = temporary_path();
  std::vector<std::string> arguments{server_binary(), "--listen", "127.0.0.1:0", "--ports-file", ports_file_,
                                     "--workers", "2", "--conformance-fixtures",
                                     // Hermetic and unthrottled unless a test asks otherwise (later --set wins).
                                     "--set", "server.admin_listen=", "--set", "cache.redis_url=", "--set",
                                     "rate_limit.enabled=false"};
  arguments.insert(arguments.end(), launch.arguments.begin(), launch.arguments.end());
  pid_ = ::fork();
  if (pid_ == 0) {
    int const log = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(log, 2);
    for (auto const& [name, value] : launch.environment) ::setenv(name.c_str(), value.c_str(), 1);
    if (launch.descriptor_limit > 0) {
      rlimit const limit{launch.descriptor_limit, launch.descriptor_limit};
      ::setrlimit(RLIMIT_NOFILE, &limit);
    }
    std::vector<char*> argv;
    for (auto& a : arguments) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  // Generous: on a starved machine a start can take seconds; a dead process ends the wait at once.
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (port_ == 0 && running() && std::chrono::steady_clock::now() < deadline) {
    std::ifstream file(ports_file_);
    std::stringstream text;
    text << file.rdbuf();
    if (text.str().empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
      continue;
    }
    auto const ports = boost::json::parse(text.str()).as_object();
    port_ = static_cast<std::uint16_t>(ports.at("mcp").as_int64());
    if (auto const* admin = ports.if_contains("admin")) admin_port_ = static_cast<std::uint16_t>(admin->as_int64());
  }
  if (port_ == 0) throw std::runtime_error("the server did not start within 30 s; its log:\n" + log());
}

ServerUnderTest::~ServerUnderTest() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    if (wait_exit(std::chrono::seconds(5)) == -1) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  if (std::getenv("PRODMCP_TEST_SERVER_LOGS")) std::fputs(log().c_str(), stderr);
  else if (::testing::Test::HasFailure())
    std::fprintf(stderr, "--- the last lines of the server's log (port %u) ---\n%s--- end of log ---\n", port_,
                 log_tail().c_str());
  ::unlink(ports_file_.c_str());
  ::unlink(log_file_.c_str());
}

bool ServerUnderTest::running() {
  int status = 0;
  return pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == 0;
}

void ServerUnderTest::signal(int number) {
  if (pid_ > 0) ::kill(pid_, number);
}

int ServerUnderTest::wait_exit(std::chrono::milliseconds timeout) {
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  while (pid_ > 0) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

std::string ServerUnderTest::log() const {
  std::ifstream file(log_file_);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string ServerUnderTest::log_tail(std::size_t lines) const {
  auto const text = log();
  // Back from the end past `lines` line ends (the last one ends the text itself).
  auto start = text.size();
  for (std::size_t seen = 0; start > 0; --start)
    if (text[start - 1] == '\n' && ++seen > lines) break;
  return text.substr(start);
}

bool wait_until(std::function<bool()> const& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll) {
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(poll);
  }
  return true;
}

bool ServerUnderTest::wait_for_log(std::string const& text, std::chrono::milliseconds timeout) const {
  return wait_until([&] { return log().find(text) != std::string::npos; }, timeout);
}

CommandResult run_server_command(std::vector<std::string> const& arguments,
                                 std::vector<std::pair<std::string, std::string>> const& environment) {
  auto const output_file = temporary_path();
  pid_t const pid = ::fork();
  if (pid == 0) {
    int const out = ::open(output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(out, 1);
    ::dup2(out, 2);
    for (auto const& [name, value] : environment) ::setenv(name.c_str(), value.c_str(), 1);
    std::vector<std::string> all{server_binary()};
    all.insert(all.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::ifstream file(output_file);
  std::stringstream text;
  text << file.rdbuf();
  result.output = text.str();
  ::unlink(output_file.c_str());
  return result;
}

HeaderList mcp_headers(std::string const& session_id) {
  HeaderList headers{{"Content-Type", "application/json"}, {"Accept", "application/json, text/event-stream"}};
  if (!session_id.empty()) headers.emplace_back("Mcp-Session-Id", session_id);
  return headers;
}

HttpReply raw_request(std::uint16_t port, std::string const& raw, std::chrono::milliseconds timeout) {
  int const fd = connect_loopback(port);
  if (!write_all(fd, raw)) {
    // The server may have answered and closed before taking it all (413): read what it said.
    auto const error = errno;
    HttpReply reply;
    try {
      reply = read_reply(fd, std::chrono::milliseconds(500));
    } catch (...) {
      ::close(fd);
      throw std::runtime_error("the request could not be sent (" + std::string(std::strerror(error)) +
                               ") and no reply came");
    }
    ::close(fd);
    return reply;
  }
  try {
    auto reply = read_reply(fd, timeout);
    ::close(fd);
    return reply;
  } catch (...) {
    ::close(fd);
    throw;
  }
}

std::string request_text(std::uint16_t port, std::string const& method, std::string const& path,
                         HeaderList const& headers, std::string const& body, bool keep_alive) {
  std::string raw = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n";
  for (auto const& [name, value] : headers) raw += name + ": " + value + "\r\n";
  raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  if (!keep_alive) raw += "Connection: close\r\n";
  return raw + "\r\n" + body;
}

HttpReply http_request(std::uint16_t port, std::string const& method, std::string const& path,
                       HeaderList const& headers, std::string const& body, std::chrono::milliseconds timeout) {
  return raw_request(port, request_text(port, method, path, headers, body), timeout);
}

HttpReply attempt_request(std::uint16_t port, std::string const& method, std::string const& path,
                          HeaderList const& headers, std::string const& body,
                          std::chrono::milliseconds timeout) noexcept {
  try {
    return http_request(port, method, path, headers, body, timeout);
  } catch (std::exception const& error) {
    HttpReply failed;
    failed.failure = error.what();
    return failed;
  }
}

RawConnection::RawConnection(std::uint16_t port) : fd_(connect_loopback(port)) {}
RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}
bool RawConnection::send(std::string const& bytes) { return write_all(fd_, bytes); }

bool read_until(int fd, std::string& data, std::string const& needle, std::chrono::milliseconds timeout) {
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[4096];
  while (data.find(needle) == std::string::npos) {
    auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, static_cast<int>(left.count())) <= 0) continue;
    auto const n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return data.find(needle) != std::string::npos;
    data.append(buffer, static_cast<std::size_t>(n));
  }
  return true;
}

std::string initialize_session(std::uint16_t port, std::string const& version) {
  auto reply = http_request(port, "POST", "/mcp", mcp_headers(),
                            R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":")" + version +
                                R"(","capabilities":{},"clientInfo":{"name":"integration-test","version":"1"}}})");
  if (reply.status != 200) throw std::runtime_error("initialize failed: " + reply.body);
  auto const session = reply.header("Mcp-Session-Id");
  http_request(port, "POST", "/mcp", mcp_headers(session), R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  return session;
}

}  // namespace prodmcp::testing
