#pragma once
// The GUI tests' console in front of a gateway: prodmcp-server fronting the tests' misbehaving
// stdio server ("fake") and the fixtures server ("fx"), and what the tests ask of it.
#include <QtTest>

#include "main_window.hpp"

namespace prodmcp::console::testing {

// With `by_name` the upstreams' programs are found on PATH (for screenshots without build paths).
inline ConsoleOptions gateway_options(bool by_name = false) {
  ConsoleOptions options;
  options.launch.binary = PRODMCP_SERVER_BINARY;
  options.health_interval_ms = 300;
  QFileInfo const fake(PRODMCP_FAKE_UPSTREAM_BINARY), server(PRODMCP_SERVER_BINARY);
  if (by_name)
    qputenv("PATH", (fake.absolutePath() + ':' + server.absolutePath() + ':' + qEnvironmentVariable("PATH")).toLocal8Bit());
  options.launch.extra_arguments = {
      "--upstream", "fake=" + (by_name ? fake.fileName() : fake.filePath()),
      "--upstream", QStringLiteral("fx=%1 --stdio --conformance-fixtures").arg(by_name ? server.fileName() : server.filePath()),
      "--set", "upstreams.fake.sessions=shared",
      "--set", "upstreams.fake.restart_backoff_ms=300",
      "--set", "rate_limit.requests_per_minute=6000"};
  return options;
}

inline QString cell(UpstreamMonitor const& monitor, QString const& name, int column) {
  for (int row = 0; row < monitor.rowCount(); ++row)
    if (monitor.index(row, UpstreamMonitor::kName).data().toString() == name)
      return monitor.index(row, column).data().toString();
  return {};
}

inline bool both_ready(UpstreamMonitor const& monitor) {
  return cell(monitor, "fake", UpstreamMonitor::kState) == "ready" && cell(monitor, "fx", UpstreamMonitor::kState) == "ready";
}

// The console's window on the Upstreams page, supervising the server `options` start.
struct ConsoleOnUpstreams {
  explicit ConsoleOnUpstreams(ConsoleOptions const& options) : session(options), window(session) {
    window.resize(1280, 800);
    window.show();
    session.begin();
    window.show_page("Upstreams");
  }
  ConsoleSession session;
  MainWindow window;
};

inline bool timeline_has(ConsoleSession& session, QString const& kind, QString const& text = {}) {
  for (auto const& event : session.events().events())
    if (event.kind == kind && event.message.contains(text)) return true;
  return false;
}


}  // namespace prodmcp::console::testing
