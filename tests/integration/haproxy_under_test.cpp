#include "haproxy_under_test.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "redis_under_test.hpp"
#include "server_under_test.hpp"

namespace prodmcp::testing {

namespace {

std::string ask_runtime_api(std::string const& socket_path, std::string const& command) {
  int const fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {};
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof address.sun_path - 1);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::send(fd, command.data(), command.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(command.size())) {
    char buffer[8192];
    for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) answer.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return answer;
}

}  // namespace

HaproxyUnderTest::HaproxyUnderTest(std::vector<Replica> const& replicas, std::string check_interval) {
  if (replicas.size() != 3) throw std::invalid_argument("the shipped HAProxy config fronts three replicas");
  char pattern[] = "/tmp/prodmcp-haproxy-XXXXXX";
  if (!::mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  directory_ = pattern;
  socket_ = directory_ + "/runtime.sock";
  port_ = free_loopback_port();
  std::vector<std::pair<std::string, std::string>> environment{
      {"PRODMCP_LB_BIND", "127.0.0.1:" + std::to_string(port_)},
      {"PRODMCP_LB_STATS_SOCKET", socket_},
      {"PRODMCP_LB_CHECK_INTERVAL", check_interval}};
  for (std::size_t i = 0; i < replicas.size(); ++i) {
    auto const name = "PRODMCP_REPLICA_" + std::to_string(i + 1);
    environment.emplace_back(name, "127.0.0.1:" + std::to_string(replicas[i].port));
    environment.emplace_back(name + "_ADMIN_PORT", std::to_string(replicas[i].admin_port));
  }
  pid_ = ::fork();
  if (pid_ == 0) {
    for (auto const& [name, value] : environment) ::setenv(name.c_str(), value.c_str(), 1);
    std::string const log = directory_ + "/haproxy.log";
    if (std::FILE* file = std::freopen(log.c_str(), "w", stderr); !file) ::_exit(126);
    ::execlp("haproxy", "haproxy", "-db", "-f", PRODMCP_HAPROXY_CONFIG, static_cast<char*>(nullptr));
    ::_exit(127);
  }
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!ask_runtime_api(socket_, "show info\n").empty()) return;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  std::ostringstream log;
  log << std::ifstream(directory_ + "/haproxy.log").rdbuf();
  throw std::runtime_error("haproxy did not start: " + log.str());
}

HaproxyUnderTest::~HaproxyUnderTest() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::map<std::string, std::string> HaproxyUnderTest::states() const {
  // CSV: pxname,svname,...; the status column is the 18th.
  std::map<std::string, std::string> result;
  std::istringstream lines(ask_runtime_api(socket_, "show stat\n"));
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> columns;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) columns.push_back(cell);
    if (columns.size() > 17 && columns[0] == "prodmcp" && columns[1].starts_with("replica-"))
      result[columns[1]] = columns[17];
  }
  return result;
}

bool HaproxyUnderTest::wait_for(std::string const& name, std::string const& state,
                                std::chrono::milliseconds timeout) const {
  return wait_until(
      [&] {
        auto const now = states();
        auto const it = now.find(name);
        return it != now.end() && it->second == state;
      },
      timeout);
}

}  // namespace prodmcp::testing
