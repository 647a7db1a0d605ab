#pragma once
// "Connect a client…": for the server the console watches, what to paste into Claude Desktop,
// Claude Code, Cursor, VS Code or the MCP Inspector, one tab each, with a copy button.
#include <QDialog>
#include <QTabWidget>
#include <QUrl>

namespace prodmcp::console {

class ConnectClientDialog : public QDialog {
  Q_OBJECT
 public:
  ConnectClientDialog(QUrl const& mcp_url, bool needs_token, QWidget* parent = nullptr);
  QTabWidget* tabs() const { return tabs_; }
  // The text of a client's tab ("Cursor"), as the copy button copies it.
  QString text_for(QString const& client) const;
  // Copies the text of the tab shown.
  void copy_current();

 private:
  QTabWidget* tabs_;
};

}  // namespace prodmcp::console
