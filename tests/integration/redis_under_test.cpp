#include "redis_under_test.hpp"

#include "server_under_test.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <thread>

namespace prodmcp::testing {

std::uint16_t free_loopback_port() {
  int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

std::uint16_t stable_loopback_port() {
  unsigned low = 32768, high = 60999;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> low >> high;
  static std::mt19937 random{std::random_device{}()};
  std::uniform_int_distribution<unsigned> pick(10000, low - 1);
  for (;;) {
    auto const port = static_cast<std::uint16_t>(pick(random));
    int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool const free = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    if (free) return port;
  }
}

RedisUnderTest::RedisUnderTest(std::uint16_t port) : port_(port ? port : stable_loopback_port()) {
  char pattern[] = "/tmp/prodmcp-redis-XXXXXX";
  directory_ = ::mkdtemp(pattern);
  start();
}

RedisUnderTest::~RedisUnderTest() {
  kill();
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

void RedisUnderTest::start() {
  pid_ = ::fork();
  if (pid_ == 0) {
    auto const port = std::to_string(port_);
    ::execlp("redis-server", "redis-server", "--port", port.c_str(), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", directory_.c_str(), "--loglevel", "warning", "--enable-debug-command",
             "local", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (answers_within(std::chrono::milliseconds(500))) return;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // it exited (the port was taken?)
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  throw std::runtime_error("redis-server did not start on port " + std::to_string(port_));
}

void RedisUnderTest::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

bool RedisUnderTest::answers_within(std::chrono::milliseconds timeout) const {
  try {
    RawConnection connection(port_);
    std::string reply;
    return connection.send("PING\r\n") && read_until(connection.fd(), reply, "\r\n", timeout);
  } catch (std::runtime_error const&) {  // nothing listens
    return false;
  }
}

std::string RedisUnderTest::cli(std::string const& arguments) const {
  auto const command = "redis-cli -h 127.0.0.1 -p " + std::to_string(port_) + " " + arguments + " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  std::string output;
  std::array<char, 256> buffer;
  while (pipe && std::fgets(buffer.data(), buffer.size(), pipe.get())) output += buffer.data();
  return output;
}

}  // namespace prodmcp::testing
