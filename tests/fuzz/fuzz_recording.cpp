// A recording file, as the console replays it: JSON lines read and checked, sorted by time, and
// played through the same scraper, log store, health poller and event log as a live session.
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryFile>
#include <algorithm>

#include "console_session.hpp"
#include "fuzz_target.hpp"

namespace {

using namespace prodmcp::console;

ConsoleSession& quiet_session() {
  static int argc = 1;
  static char name[] = "fuzz_recording";
  static char* argv[] = {name, nullptr};
  static QCoreApplication app(argc, argv);
  static ConsoleSession session([] {
    ConsoleOptions options;
    options.autostart = false;
    options.launch.binary = "/nonexistent/prodmcp-server";
    return options;
  }());
  return session;
}

}  // namespace

PRODMCP_FUZZ_TARGET(recording) {
  auto& session = quiet_session();
  QTemporaryFile file;
  if (!file.open()) __builtin_trap();
  file.write(reinterpret_cast<char const*>(data), static_cast<qint64>(size));
  file.close();
  auto& replayer = session.replayer();
  QString error;
  if (!replayer.load(file.fileName(), &error)) {
    if (error.isEmpty()) __builtin_trap();  // a refusal says why
    return 0;
  }
  if (replayer.first_ms() > replayer.last_ms()) __builtin_trap();  // played in time order
  // The whole recording in about a millisecond, however long it spans.
  double const span = static_cast<double>(replayer.last_ms()) - static_cast<double>(replayer.first_ms());
  replayer.play(std::max(1.0, span));
  QElapsedTimer waited;
  waited.start();
  while (!replayer.finished() && waited.elapsed() < 5000) QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 10);
  if (!replayer.finished()) __builtin_trap();
  return 0;
}
