#pragma once
// "Add server": the user's own MCP server as [upstreams.NAME] tables for the config document,
// from a command (with a file picker for the script, its working directory and environment), a
// URL with headers, or the mcp.json files other MCP clients keep (found where they usually live,
// or picked), with a preview of the TOML that will be added.
#include <QComboBox>
#include <QDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>

#include "config_editor/upstream_tables.hpp"

namespace prodmcp::console {

class AddServerDialog : public QDialog {
  Q_OBJECT
 public:
  enum Tab { kCommandTab, kUrlTab, kMcpJsonTab };

  // mcp.json files are looked for under `home` and in `project`.
  AddServerDialog(QString const& home, QString const& project, QWidget* parent = nullptr);

  // What OK adds: one draft from the command or URL tab, or the servers ticked in the mcp.json tab.
  QList<UpstreamDraft> const& drafts() const { return drafts_; }

  QTabWidget* tabs() const { return tabs_; }
  QLineEdit* name_edit() const { return name_; }
  QLineEdit* program_edit() const { return program_; }
  QLineEdit* arguments_edit() const { return arguments_; }
  QLineEdit* cwd_edit() const { return cwd_; }
  QPlainTextEdit* environment_edit() const { return environment_; }
  QLineEdit* url_edit() const { return url_; }
  QPlainTextEdit* headers_edit() const { return headers_; }
  QComboBox* found_files() const { return found_; }
  QListWidget* imported_servers() const { return servers_; }
  QPlainTextEdit* preview() const { return preview_; }
  QLabel* problem_label() const { return problem_; }
  QPushButton* add_button() const { return add_; }

  // The mcp.json tab reads `path` (what its Browse… does), and with `show` comes to the front.
  void import_file(QString const& path, bool show = true);
  // The command tab from a picked script: python3 for .py, node for .js/.mjs, the file itself else.
  void use_script(QString const& path);

 private:
  QWidget* command_tab();
  QWidget* url_tab();
  QWidget* mcp_json_tab(QString const& home, QString const& project);
  void suggest_name();
  void update_drafts();

  QTabWidget* tabs_;
  QLineEdit* name_;
  bool name_edited_ = false;
  QLineEdit* program_;
  QLineEdit* arguments_;
  QLineEdit* cwd_;
  QPlainTextEdit* environment_;
  QLineEdit* url_;
  QPlainTextEdit* headers_;
  QComboBox* found_;
  QListWidget* servers_;
  QList<UpstreamDraft> imported_;  // every server of the file read, ticked or not
  QString import_problem_;
  QPlainTextEdit* preview_;
  QLabel* problem_;
  QPushButton* add_;
  QList<UpstreamDraft> drafts_;
};

}  // namespace prodmcp::console
