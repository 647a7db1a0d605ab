#include "supervision/termination_signals.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <csignal>

namespace prodmcp::console {
namespace {

int signal_pipe[2] = {-1, -1};
constexpr int kHandled[] = {SIGTERM, SIGINT, SIGHUP};

// Only async-signal-safe work here: write the number and let the event loop do the rest.
void on_signal(int signal_number) {
  unsigned char const byte = static_cast<unsigned char>(signal_number);
  [[maybe_unused]] auto const written = ::write(signal_pipe[0], &byte, 1);
}

}  // namespace

TerminationSignals::TerminationSignals(QObject* parent) : QObject(parent) {
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, signal_pipe) != 0) return;
  notifier_ = std::make_unique<QSocketNotifier>(signal_pipe[1], QSocketNotifier::Read);
  connect(notifier_.get(), &QSocketNotifier::activated, this, &TerminationSignals::drain);
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int signal_number : kHandled) ::sigaction(signal_number, &action, nullptr);
}

TerminationSignals::~TerminationSignals() {
  for (int signal_number : kHandled) ::signal(signal_number, SIG_DFL);
  notifier_.reset();
  for (int& fd : signal_pipe) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
}

void TerminationSignals::drain() {
  unsigned char byte = 0;
  if (::read(signal_pipe[1], &byte, 1) == 1) emit received(byte);
}

}  // namespace prodmcp::console
