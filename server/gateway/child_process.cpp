#include "gateway/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <utility>

#include "util/environment.hpp"

extern char** environ;

namespace prodmcp::gateway {

namespace {

std::string errno_text(std::string_view what) { return std::string(what) + ": " + std::strerror(errno); }

bool is_executable(std::string const& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// Resolved before fork: after it, in a threaded process, only async-signal-safe calls are allowed.
std::string find_program(std::string const& command, std::string const& path_variable) {
  if (command.find('/') != std::string::npos) {
    if (!is_executable(command)) throw std::runtime_error("\"" + command + "\" is not an executable file");
    return command;
  }
  std::string_view rest = path_variable;
  while (true) {
    auto const colon = rest.find(':');
    std::string directory(rest.substr(0, colon));
    if (directory.empty()) directory = ".";
    auto candidate = directory + "/" + command;
    if (is_executable(candidate)) return candidate;
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  throw std::runtime_error("command \"" + command + "\" was not found on PATH (" + path_variable + ")");
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

std::string ChildExit::describe() const {
  if (signal != 0) return "signal " + std::to_string(signal) + " (" + ::strsignal(signal) + ")";
  return "exit code " + std::to_string(code);
}

ChildProcess::ChildProcess(ChildSpec const& spec) {
  std::map<std::string, std::string> environment;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view const text(*entry);
    auto const equals = text.find('=');
    if (equals != std::string_view::npos)
      environment[std::string(text.substr(0, equals))] = std::string(text.substr(equals + 1));
  }
  for (auto const& [name, value] : spec.variables) environment[name] = value;
  // ${VAR} in a configured value expands from the environment the child gets (the gateway's and
  // the variables above), before any configured value is added.
  auto const inherited = environment;
  auto const lookup = [&inherited](std::string const& name) -> std::optional<std::string> {
    auto const it = inherited.find(name);
    return it == inherited.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  for (auto const& [name, value] : spec.env) environment[name] = util::expand_environment(value, lookup);
  auto const path = environment.contains("PATH") ? environment["PATH"] : std::string("/usr/local/bin:/usr/bin:/bin");
  std::string const program = find_program(spec.command, path);

  std::vector<std::string> env_strings;
  for (auto const& [name, value] : environment) env_strings.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::vector<std::string> arg_strings{spec.command};
  arg_strings.insert(arg_strings.end(), spec.args.begin(), spec.args.end());
  std::vector<char*> argv;
  for (auto& arg : arg_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  if (!spec.cwd.empty()) {
    struct stat info {};
    if (::stat(spec.cwd.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
      throw std::runtime_error("cwd \"" + spec.cwd + "\" is not a directory");
  }

  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error(errno_text("pipe"));
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]), ::close(in[1]);
    throw std::runtime_error(errno_text("pipe"));
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(in[0]), ::close(in[1]), ::close(out[0]), ::close(out[1]);
    throw std::runtime_error(errno_text("pipe"));
  }
  pid_t const parent = ::getpid();
  char const* const cwd = spec.cwd.empty() ? nullptr : spec.cwd.c_str();
  pid_ = ::fork();
  if (pid_ == 0) {
    // The child: async-signal-safe calls only, until exec.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the gateway died before the line above
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::close_range(3, ~0U, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    if (cwd && ::chdir(cwd) != 0) ::_exit(126);
    ::execve(program.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  int const fork_errno = errno;
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  stdin_ = in[1];
  stdout_ = out[0];
  stderr_ = err[0];
  if (pid_ < 0) {
    close_fd(stdin_), close_fd(stdout_), close_fd(stderr_);
    errno = fork_errno;
    throw std::runtime_error(errno_text("fork"));
  }
  ::setpgid(pid_, pid_);  // also from here, so signal_group works even before the child ran
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));  // glibc 2.36 declares pidfd_open without C linkage
  if (pidfd_ < 0) {
    auto const problem = errno_text("pidfd_open");
    signal_group(SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    close_fd(stdin_), close_fd(stdout_), close_fd(stderr_);
    throw std::runtime_error(problem);
  }
  ::fcntl(pidfd_, F_SETFD, FD_CLOEXEC);
}

ChildProcess::~ChildProcess() {
  if (!poll_exit()) {
    signal_group(SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  close_fd(stdin_), close_fd(stdout_), close_fd(stderr_), close_fd(pidfd_);
}

int ChildProcess::release_stdin() { return std::exchange(stdin_, -1); }
int ChildProcess::release_stdout() { return std::exchange(stdout_, -1); }
int ChildProcess::release_stderr() { return std::exchange(stderr_, -1); }

void ChildProcess::signal_group(int signal) const {
  if (pid_ > 0 && !exit_) ::kill(-pid_, signal);
}

std::optional<ChildExit> ChildProcess::poll_exit() {
  if (exit_ || pid_ <= 0) return exit_;
  // Looked at without reaping first: while unreaped, its pid (the group's id) cannot be reused,
  // so what is left of its group (grandchildren it started) can be ended safely.
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid != pid_)
    return std::nullopt;
  ::kill(-pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  ChildExit result;
  if (WIFEXITED(status)) result.code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  exit_ = result;
  return exit_;
}

}  // namespace prodmcp::gateway
