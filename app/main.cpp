// prodmcp-console: supervises a local prodmcp-server (or watches a running one) and shows what it
// does: health, fleet, events, metrics and logs.
#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QIcon>
#include <QSettings>
#include <cstdio>
#include <cstring>

#include "alerts/alert_rules.hpp"
#include "console_session.hpp"
#include "fleet/fleet_settings.hpp"
#include "main_window.hpp"
#include "supervision/termination_signals.hpp"
#include "supervision/upstream_arguments.hpp"

using namespace prodmcp::console;

int main(int argc, char** argv) {
  // Needs no display: used to regenerate the shipped Prometheus rule file.
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--print-alert-rules") == 0) {
      std::fputs(prometheus_rule_file().c_str(), stdout);
      return 0;
    }
  }
  QApplication application(argc, argv);
  QApplication::setApplicationName("prodmcp-console");
  QApplication::setApplicationVersion(PRODMCP_CONSOLE_VERSION);
  QApplication::setWindowIcon(QIcon(":/icons/prodmcp.svg"));

  QCommandLineParser parser;
  parser.setApplicationDescription("Supervise and watch a production MCP server");
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption const config({"c", "config"}, "TOML config file for the supervised server.", "FILE");
  QCommandLineOption const profile("profile", "Profile: development, staging or production.", "NAME");
  QCommandLineOption const binary("server-binary", "The prodmcp-server to run.", "PATH");
  QCommandLineOption const no_autostart("no-autostart", "Do not start the server on launch.");
  QCommandLineOption const restart("restart", "Restart policy: never, on-failure (default) or always.", "POLICY",
                                   "on-failure");
  QCommandLineOption const with_redis("with-redis", "Also start a private redis-server for the server.");
  QCommandLineOption const attach("attach", "Watch a running server by its admin URL; no process control.", "ADMIN_URL");
  QCommandLineOption const mcp_url("mcp-url", "With --attach: the server's MCP endpoint URL.", "URL");
  QCommandLineOption const token("token", "Bearer token for servers with auth (or PRODMCP_CONSOLE_TOKEN).", "TOKEN");
  QCommandLineOption const page("page", "Page to open: Overview, Metrics, Health, Upstreams, Logs, Tools, Trace, Config, Demo, Walkthrough, Fleet or Events.", "NAME");
  QCommandLineOption const print_rules("print-alert-rules", "Print the Prometheus alert rules and exit.");
  QCommandLineOption const replay("replay", "Play back a recorded session (Events page, Record…); no server.", "FILE");
  QCommandLineOption const replay_speed("replay-speed", "With --replay: times the recorded pace (default 1).", "N", "1");
  QCommandLineOption const upstream(
      "upstream", "Put your MCP server behind the supervised server: NAME=COMMAND ARGS or NAME=URL (repeatable).",
      "SPEC");
  QCommandLineOption const mcp_json("mcp-json", "Put every server of an mcpServers file (Claude Desktop, Cursor, "
                                                "VS Code) behind the supervised server.", "FILE");
  parser.addOptions({config, profile, binary, no_autostart, restart, with_redis, attach, mcp_url, token, page, print_rules,
                     replay, replay_speed, upstream, mcp_json});
  parser.addPositionalArgument("-- COMMAND", "Your stdio MCP server, e.g. -- python3 notes_server.py: the console "
                                             "starts the server as a gateway in front of it.", "[-- COMMAND [ARGS...]]");
  parser.process(application);

  ConsoleOptions options;
  options.launch.binary = parser.value(binary);
  options.launch.config_file = parser.isSet(config) ? QFileInfo(parser.value(config)).absoluteFilePath() : QString();
  options.launch.profile = parser.value(profile);
  options.launch.with_redis = parser.isSet(with_redis);
  options.autostart = !parser.isSet(no_autostart);
  if (!parse_restart_mode(parser.value(restart).toStdString(), options.restart.mode)) {
    std::fprintf(stderr, "prodmcp-console: --restart must be never, on-failure or always, not \"%s\"\n",
                 qPrintable(parser.value(restart)));
    return 2;
  }
  if (parser.isSet(replay)) {
    options.replay_file = parser.value(replay);
    bool numeric = false;
    options.replay_speed = parser.value(replay_speed).toDouble(&numeric);
    if (!numeric || options.replay_speed <= 0 || options.replay_speed > 10'000) {
      std::fprintf(stderr, "prodmcp-console: --replay-speed must be a number above 0 (at most 10000), not \"%s\"\n",
                   qPrintable(parser.value(replay_speed)));
      return 2;
    }
  }
  UpstreamChoice upstreams{parser.positionalArguments(), parser.values(upstream), parser.value(mcp_json)};
  if (!upstreams.empty() && (parser.isSet(attach) || parser.isSet(replay))) {
    std::fprintf(stderr, "prodmcp-console: your own servers (-- COMMAND, --upstream, --mcp-json) go behind the "
                         "server the console starts; they do not go with --attach or --replay\n");
    return 2;
  }
  options.launch.extra_arguments += upstream_arguments(upstreams);
  if (parser.isSet(attach)) {
    options.attach_admin_url = QUrl::fromUserInput(parser.value(attach));
    options.attach_mcp_url = QUrl::fromUserInput(parser.value(mcp_url));
  }
  options.bearer_token = parser.isSet(token) ? parser.value(token) : qEnvironmentVariable("PRODMCP_CONSOLE_TOKEN");

  // SIGTERM/SIGINT/SIGHUP quit through the event loop, so the supervised server is stopped too.
  TerminationSignals termination;
  QObject::connect(&termination, &TerminationSignals::received, &application, &QApplication::quit);

  ConsoleSession session(options);
  QSettings settings("prodmcp", "console");
  load_fleet(session.fleet(), settings);
  MainWindow window(session);
  window.resize(1280, 800);
  window.restore_state(settings);  // as it was left; --page wins
  if (parser.isSet(page) && !window.show_page(parser.value(page))) {
    std::fprintf(stderr, "prodmcp-console: no page \"%s\"\n", qPrintable(parser.value(page)));
    return 2;
  }
  window.show();
  session.begin();
  int const code = QApplication::exec();
  save_fleet(session.fleet(), settings);
  window.save_state(settings);
  return code;
}
