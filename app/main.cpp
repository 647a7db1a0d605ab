// prodmcp-console: starts and supervises a local prodmcp-server and shows what it does.
#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>

#include "main_window.hpp"

int main(int argc, char** argv) {
  QApplication application(argc, argv);
  QApplication::setApplicationName("prodmcp-console");
  QApplication::setApplicationVersion(PRODMCP_CONSOLE_VERSION);
  QApplication::setWindowIcon(QIcon(":/icons/prodmcp.svg"));

  QCommandLineParser parser;
  parser.setApplicationDescription("Supervise and watch a production MCP server");
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption const binary(QStringLiteral("server-binary"), "The prodmcp-server to run.", "PATH");
  QCommandLineOption const no_autostart(QStringLiteral("no-autostart"), "Do not start the server on launch.");
  parser.addOption(binary);
  parser.addOption(no_autostart);
  parser.process(application);

  MainWindow window;
  if (parser.isSet(binary)) window.server().setBinary(parser.value(binary));
  window.resize(1100, 700);
  window.show();
  if (!parser.isSet(no_autostart)) window.server().start();
  return QApplication::exec();
}
