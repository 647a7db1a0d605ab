#include "tools_page.hpp"

#include <QComboBox>
#include <QDateTime>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLineEdit>
#include <QSplitter>
#include <QVBoxLayout>

#include "palette.hpp"

namespace prodmcp::console {
namespace {

enum ItemRole { kKindRole = Qt::UserRole + 1, kDefinitionRole };

QString pretty(QJsonObject const& object) { return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented)); }

// What a person wants to read first: the text content, then structured content, then the rest.
QString result_text(QJsonObject const& result) {
  QStringList parts;
  for (auto const& item : result.value("content").toArray()) {
    auto const content = item.toObject();
    if (content.value("type").toString() == "text") parts << content.value("text").toString();
  }
  if (result.contains("structuredContent"))
    parts << QObject::tr("structured content:\n%1").arg(pretty(result.value("structuredContent").toObject()));
  parts << QObject::tr("full result:\n%1").arg(pretty(result));
  return parts.join("\n\n");
}

}  // namespace

ToolsPage::ToolsPage(ConsoleSession& session, QWidget* parent) : QWidget(parent), session_(session) {
  auto* layout = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  auto* refresh_button = new QPushButton(tr("Refresh"));
  status_ = new QLabel(tr("Not listed yet"));
  bar->addWidget(refresh_button);
  bar->addWidget(status_, 1);
  layout->addLayout(bar);

  tree_ = new QTreeWidget;
  tree_->setHeaderLabels({tr("Offered by the server")});
  tree_->setMinimumWidth(240);

  auto* detail = new QWidget;
  auto* detail_layout = new QVBoxLayout(detail);
  detail_layout->setContentsMargins(0, 0, 0, 0);
  title_ = new QLabel;
  QFont title_font = title_->font();
  title_font.setBold(true);
  title_font.setPointSizeF(title_font.pointSizeF() * 1.2);
  title_->setFont(title_font);
  description_ = new QLabel;
  description_->setWordWrap(true);
  input_tabs_ = new QTabWidget;
  form_host_ = new QWidget;
  new QFormLayout(form_host_);
  raw_json_ = new QPlainTextEdit;
  raw_json_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  input_tabs_->addTab(form_host_, tr("Form"));
  input_tabs_->addTab(raw_json_, tr("JSON"));
  input_tabs_->setMaximumHeight(220);
  auto* call_row = new QHBoxLayout;
  call_button_ = new QPushButton(tr("Call"));
  call_button_->setEnabled(false);
  answer_label_ = new QLabel;
  answer_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  logs_button_ = new QPushButton(tr("Show log lines"));
  logs_button_->setEnabled(false);
  trace_button_ = new QPushButton(tr("Show in trace"));
  trace_button_->setToolTip(tr("Through a gateway: the call's two legs on the Trace page"));
  trace_button_->setEnabled(false);
  call_row->addWidget(call_button_);
  call_row->addWidget(answer_label_, 1);
  call_row->addWidget(logs_button_);
  call_row->addWidget(trace_button_);
  result_ = new QPlainTextEdit;
  result_->setReadOnly(true);
  result_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  detail_layout->addWidget(title_);
  detail_layout->addWidget(description_);
  detail_layout->addWidget(input_tabs_);
  detail_layout->addLayout(call_row);
  detail_layout->addWidget(result_, 1);

  history_ = new QTableView;
  history_->setModel(&session.call_history());
  history_->verticalHeader()->hide();
  history_->setSelectionBehavior(QAbstractItemView::SelectRows);
  history_->horizontalHeader()->setSectionResizeMode(CallHistory::kArguments, QHeaderView::Stretch);
  history_->setToolTip(tr("Double-click a call to replay it"));

  auto* top = new QSplitter(Qt::Horizontal);
  top->addWidget(tree_);
  top->addWidget(detail);
  top->setStretchFactor(1, 1);
  auto* vertical = new QSplitter(Qt::Vertical);
  vertical->addWidget(top);
  vertical->addWidget(history_);
  vertical->setStretchFactor(0, 3);
  vertical->setStretchFactor(1, 1);
  layout->addWidget(vertical, 1);

  connect(refresh_button, &QPushButton::clicked, this, &ToolsPage::refresh);
  connect(tree_, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) { show_item(item); });
  connect(call_button_, &QPushButton::clicked, this, &ToolsPage::call);
  connect(logs_button_, &QPushButton::clicked, this, [this] { emit show_request_logs(last_correlation_id_); });
  connect(trace_button_, &QPushButton::clicked, this, [this] { emit show_request_trace(last_correlation_id_); });
  connect(history_, &QTableView::doubleClicked, this, [this](QModelIndex const& index) { replay(index.row()); });
  connect(&session, &ConsoleSession::endpoints_changed, this, [this](QUrl const&, QUrl const& mcp_url) {
    if (!mcp_url.isEmpty()) refresh();
  });
}

void ToolsPage::refresh() {
  if (session_.mcp_url().isEmpty()) {
    status_->setText(tr("No server to ask"));
    return;
  }
  status_->setText(tr("Listing…"));
  session_.mcp_client().list_all([this](McpCatalog catalog) {
    QString const selected = tree_->currentItem() ? tree_->currentItem()->text(0) : QString();
    tree_->clear();
    auto const section = [&](QString const& title, QJsonArray const& items, char const* kind, char const* key) {
      auto* parent = new QTreeWidgetItem(tree_, {tr("%1 (%2)").arg(title).arg(items.size())});
      for (auto const& value : items) {
        auto const item = value.toObject();
        auto* child = new QTreeWidgetItem(parent, {item.value(key).toString()});
        child->setData(0, kKindRole, QString::fromLatin1(kind));
        child->setData(0, kDefinitionRole, item);
        child->setToolTip(0, item.value("description").toString());
      }
      parent->setExpanded(true);
    };
    section(tr("Tools"), catalog.tools, "tool", "name");
    section(tr("Resources"), catalog.resources, "resource", "uri");
    section(tr("Resource templates"), catalog.resource_templates, "template", "uriTemplate");
    section(tr("Prompts"), catalog.prompts, "prompt", "name");
    status_->setText(catalog.problem.isEmpty()
                         ? tr("tools %1 · resources %2 · templates %3 · prompts %4 at %5")
                               .arg(catalog.tools.size())
                               .arg(catalog.resources.size())
                               .arg(catalog.resource_templates.size())
                               .arg(catalog.prompts.size())
                               .arg(session_.mcp_url().toString())
                         : tr("Listing failed: %1").arg(catalog.problem));
    if (!selected.isEmpty()) select_tool(selected);
  });
}

bool ToolsPage::select_tool(QString const& name) {
  auto const found = tree_->findItems(name, Qt::MatchExactly | Qt::MatchRecursive);
  for (auto* item : found) {
    if (item->data(0, kKindRole).toString() != "tool") continue;
    tree_->setCurrentItem(item);
    return true;
  }
  return false;
}

bool ToolsPage::set_field(QString const& name, QString const& text) {
  auto const editor = field_editors_.find(name);
  if (editor == field_editors_.end()) return false;
  if (auto* line = qobject_cast<QLineEdit*>(editor->second)) line->setText(text);
  else if (auto* box = qobject_cast<QComboBox*>(editor->second)) box->setCurrentText(text);
  input_tabs_->setCurrentWidget(form_host_);
  return true;
}

void ToolsPage::show_item(QTreeWidgetItem* item) {
  current_tool_ = {};
  call_button_->setEnabled(false);
  if (!item || item->data(0, kKindRole).isNull()) return;
  auto const kind = item->data(0, kKindRole).toString();
  auto const definition = item->data(0, kDefinitionRole).toJsonObject();
  title_->setText(item->text(0));
  description_->setText(definition.value("description").toString());
  if (kind == "tool") {
    current_tool_ = definition;
    build_form(definition);
    call_button_->setText(tr("Call"));
    call_button_->setEnabled(true);
    input_tabs_->setEnabled(true);
    return;
  }
  input_tabs_->setEnabled(false);
  if (kind == "resource") {
    // Reading is harmless: show the content right away.
    auto const uri = definition.value("uri").toString();
    session_.mcp_client().request("resources/read", QJsonObject{{"uri", uri}}, uri, [this, uri](McpAnswer answer) {
      show_answer(uri, QJsonObject{{"uri", uri}}, answer);
    });
    return;
  }
  result_->setPlainText(pretty(definition));
}

void ToolsPage::build_form(QJsonObject const& tool) {
  delete form_host_->layout();
  qDeleteAll(form_host_->findChildren<QWidget*>(QString(), Qt::FindDirectChildrenOnly));
  field_editors_.clear();
  auto* form = new QFormLayout(form_host_);
  auto const schema = tool.value("inputSchema").toObject();
  fields_ = argument_fields(schema);
  for (auto const& field : fields_) {
    QWidget* editor = nullptr;
    if (!field.choices.isEmpty() || field.type == "boolean") {
      auto* box = new QComboBox;
      if (!field.required) box->addItem(QString());
      box->addItems(field.type == "boolean" ? QStringList{"true", "false"} : field.choices);
      editor = box;
    } else {
      auto* line = new QLineEdit;
      line->setPlaceholderText(field.default_value.isUndefined()
                                   ? field.type
                                   : tr("%1, default %2").arg(field.type, field.default_value.toVariant().toString()));
      editor = line;
    }
    editor->setToolTip(field.description);
    form->addRow(field.required ? field.name + " *" : field.name, editor);
    field_editors_[field.name] = editor;
  }
  if (fields_.empty()) form->addRow(new QLabel(tr("This tool takes no arguments.")));
  raw_json_->setPlainText(QStringLiteral("{}"));
}

void ToolsPage::call() {
  if (current_tool_.isEmpty()) return;
  QString const tool = current_tool_.value("name").toString();
  QJsonObject arguments;
  if (input_tabs_->currentWidget() == raw_json_) {
    QJsonParseError error{};
    auto const document = QJsonDocument::fromJson(raw_json_->toPlainText().toUtf8(), &error);
    if (!document.isObject()) {
      answer_label_->setText(palette::badge(tr("not sent"), palette::kBad) + " " +
                             tr("the arguments must be a JSON object: %1").arg(error.errorString()).toHtmlEscaped());
      return;
    }
    arguments = document.object();
  } else {
    QMap<QString, QString> values;
    for (auto const& [name, editor] : field_editors_) {
      if (auto* line = qobject_cast<QLineEdit*>(editor)) values[name] = line->text();
      else if (auto* box = qobject_cast<QComboBox*>(editor)) values[name] = box->currentText();
    }
    QString error;
    auto const parsed = arguments_from_text(fields_, values, error);
    if (!parsed) {
      answer_label_->setText(palette::badge(tr("not sent"), palette::kBad) + " " + error.toHtmlEscaped());
      return;
    }
    arguments = *parsed;
  }
  answer_label_->setText(tr("calling %1…").arg(tool));
  session_.mcp_client().call_tool(tool, arguments, [this, tool, arguments](McpAnswer answer) {
    session_.call_history().add({QDateTime::currentMSecsSinceEpoch(), tool, arguments, answer});
    show_answer(tool, arguments, answer);
  });
}

void ToolsPage::replay(int history_row) {
  if (history_row < 0 || history_row >= session_.call_history().rowCount()) return;
  auto const record = session_.call_history().at(history_row);
  session_.mcp_client().call_tool(record.tool, record.arguments, [this, record](McpAnswer answer) {
    session_.call_history().add({QDateTime::currentMSecsSinceEpoch(), record.tool, record.arguments, answer});
    show_answer(record.tool, record.arguments, answer);
  });
}

void ToolsPage::show_answer(QString const& name, QJsonObject const&, McpAnswer const& answer) {
  bool const tool_error = answer.ok && answer.result.value("isError").toBool();
  QString const badge = !answer.ok     ? palette::badge(tr("error"), palette::kBad)
                        : tool_error   ? palette::badge(tr("tool error"), palette::kWarn)
                                       : palette::badge(tr("ok"), palette::kGood);
  auto const upstream = session_.upstreams().upstream_of_tool(name);
  answer_label_->setText(tr("%1 %2 in %3 ms · correlation id %4%5")
                             .arg(badge, name.toHtmlEscaped())
                             .arg(answer.latency_ms, 0, 'f', 1)
                             .arg(answer.correlation_id.isEmpty() ? tr("none") : answer.correlation_id,
                                  upstream.isEmpty() ? QString()
                                                     : tr(" · answered by upstream <b>%1</b>").arg(upstream.toHtmlEscaped())));
  last_correlation_id_ = answer.correlation_id;
  logs_button_->setEnabled(!answer.correlation_id.isEmpty());
  trace_button_->setEnabled(!answer.correlation_id.isEmpty() && !upstream.isEmpty());
  result_->setPlainText(answer.ok ? result_text(answer.result)
                                  : answer.problem + (answer.error.isEmpty() ? QString() : "\n\n" + pretty(answer.error)));
}

}  // namespace prodmcp::console
