#pragma once
// A child process with its stdin, stdout and stderr on pipes, in a process group of its own, that
// dies with the gateway (parent-death signal). Exit is observed through a pidfd, so it can be
// awaited on an io_context like any descriptor.
#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace prodmcp::gateway {

struct ChildSpec {
  std::string command;  // a path, or a name found on PATH
  std::vector<std::string> args;
  std::map<std::string, std::string> env;  // added to (or replacing in) the gateway's environment; ${VAR} expands
  std::map<std::string, std::string> variables;  // set by the gateway itself (PRODMCP_CLIENT_SESSION), before env
  std::string cwd;
};

struct ChildExit {
  int code = -1;    // exit status, when it exited
  int signal = 0;   // the signal that ended it, else 0
  std::string describe() const;  // "exit code 3", "signal 9 (Killed)"
  bool failed() const { return signal != 0 || code != 0; }
};

class ChildProcess {
 public:
  // Throws std::runtime_error saying what failed (command not found, fork, pipes).
  explicit ChildProcess(ChildSpec const& spec);
  ~ChildProcess();  // kills the group (SIGKILL) if still running and reaps it
  ChildProcess(ChildProcess const&) = delete;
  ChildProcess& operator=(ChildProcess const&) = delete;

  pid_t pid() const { return pid_; }
  // The descriptors, owned here until released to an Asio stream (which then closes them).
  int release_stdin();
  int release_stdout();
  int release_stderr();
  int pidfd() const { return pidfd_; }  // readable once the child has exited

  void signal_group(int signal) const;
  // The exit, once the child has exited (non-blocking); cached.
  std::optional<ChildExit> poll_exit();

 private:
  pid_t pid_ = -1;
  int stdin_ = -1, stdout_ = -1, stderr_ = -1, pidfd_ = -1;
  std::optional<ChildExit> exit_;
};

}  // namespace prodmcp::gateway
