#pragma once
// The tool explorer: what the server offers (tools, resources, templates, prompts), a tool called
// with arguments from a form built from its input schema or as raw JSON, the result with its
// latency and correlation id (and a jump to that request's log lines), and a replayable history.
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QTreeWidget>
#include <QWidget>
#include <map>

#include "console_session.hpp"
#include "mcp/tool_arguments.hpp"

namespace prodmcp::console {

class ToolsPage : public QWidget {
  Q_OBJECT
 public:
  explicit ToolsPage(ConsoleSession& session, QWidget* parent = nullptr);

  QTreeWidget* catalog_tree() const { return tree_; }
  QPlainTextEdit* result_view() const { return result_; }
  QPushButton* call_button() const { return call_button_; }
  QPushButton* trace_button() const { return trace_button_; }
  QLabel* answer_label() const { return answer_label_; }
  // Selects a tool of the catalog; false if there is none by that name.
  bool select_tool(QString const& name);
  // Sets a form field's text (the form must show the tool).
  bool set_field(QString const& name, QString const& text);

 public slots:
  void refresh();
  void call();
  void replay(int history_row);

 signals:
  // "Show log lines": every line of the request with this correlation id.
  void show_request_logs(QString const& correlation_id);
  void show_request_trace(QString const& correlation_id);

 private:
  void show_item(QTreeWidgetItem* item);
  void build_form(QJsonObject const& tool);
  void show_answer(QString const& tool, QJsonObject const& arguments, McpAnswer const& answer);

  ConsoleSession& session_;
  QTreeWidget* tree_;
  QLabel* title_;
  QLabel* description_;
  QTabWidget* input_tabs_;
  QWidget* form_host_;
  QPlainTextEdit* raw_json_;
  QPushButton* call_button_;
  QLabel* answer_label_;
  QPushButton* logs_button_;
  QPushButton* trace_button_;
  QPlainTextEdit* result_;
  QTableView* history_;
  QLabel* status_;
  QJsonObject current_tool_;
  std::vector<ArgumentField> fields_;
  std::map<QString, QWidget*> field_editors_;
  QString last_correlation_id_;
};

}  // namespace prodmcp::console
