#include "add_server_dialog.hpp"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHostAddress>
#include <QUrl>
#include <QVBoxLayout>

#include "palette.hpp"
#include "supervision/upstream_arguments.hpp"

namespace prodmcp::console {

namespace {

// A line edit with a Browse… button beside it.
QWidget* with_browse(QLineEdit* edit, QPushButton*& button) {
  auto* row = new QWidget;
  row->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);  // a line high, however tall the tab
  auto* layout = new QHBoxLayout(row);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(edit, 1);
  button = new QPushButton(QObject::tr("Browse…"));
  layout->addWidget(button);
  return row;
}

QPlainTextEdit* lines_edit(QString const& hint) {
  auto* edit = new QPlainTextEdit;
  edit->setPlaceholderText(hint);
  edit->setTabChangesFocus(true);
  edit->setMaximumHeight(70);
  return edit;
}

// "search.example.com" gives "search"; a server on this machine "local-8000".
QString name_for_url(QUrl const& url) {
  auto const host = url.host();
  if (host.isEmpty()) return {};
  if (host == "localhost" || !QHostAddress(host).isNull())
    return QStringLiteral("local-%1").arg(url.port(url.scheme() == "https" ? 443 : 80));
  return upstream_name_for({host.section('.', 0, 0)});
}

}  // namespace

AddServerDialog::AddServerDialog(QString const& home, QString const& project, QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Add your MCP server"));
  auto* layout = new QVBoxLayout(this);
  auto* intro = new QLabel(tr("The gateway starts it (or connects to it) and gives its tools the production layer. "
                              "It is added to the config document: check it on the Config page, then save and apply."));
  intro->setWordWrap(true);
  layout->addWidget(intro);
  auto* name_row = new QFormLayout;
  name_ = new QLineEdit;
  name_->setPlaceholderText(tr("lowercase letters, digits and '-', e.g. notes"));
  name_row->addRow(tr("Upstream name"), name_);
  layout->addLayout(name_row);

  tabs_ = new QTabWidget;
  tabs_->addTab(command_tab(), tr("Command (stdio)"));
  tabs_->addTab(url_tab(), tr("URL (HTTP)"));
  tabs_->addTab(mcp_json_tab(home, project), tr("Import mcp.json"));
  layout->addWidget(tabs_, 1);

  layout->addWidget(new QLabel(tr("Added to the config:")));
  preview_ = new QPlainTextEdit;
  preview_->setReadOnly(true);
  preview_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  preview_->setMaximumHeight(130);
  layout->addWidget(preview_);
  problem_ = new QLabel;
  problem_->setWordWrap(true);
  problem_->setStyleSheet(QStringLiteral("color: %1;").arg(palette::kBad.name()));
  layout->addWidget(problem_);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
  add_ = buttons->addButton(tr("Add to config"), QDialogButtonBox::AcceptRole);
  layout->addWidget(buttons);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

  connect(name_, &QLineEdit::textEdited, this, [this] { name_edited_ = !name_->text().isEmpty(); });
  for (auto* edit : {name_, program_, arguments_, cwd_, url_})
    connect(edit, &QLineEdit::textChanged, this, &AddServerDialog::update_drafts);
  for (auto* edit : {environment_, headers_})
    connect(edit, &QPlainTextEdit::textChanged, this, &AddServerDialog::update_drafts);
  for (auto* edit : {program_, arguments_, url_})
    connect(edit, &QLineEdit::textChanged, this, &AddServerDialog::suggest_name);
  connect(servers_, &QListWidget::itemChanged, this, &AddServerDialog::update_drafts);
  connect(tabs_, &QTabWidget::currentChanged, this, [this](int tab) {
    name_->setEnabled(tab != kMcpJsonTab);  // a file's servers keep their own names
    suggest_name();
    update_drafts();
  });
  resize(640, 600);
  // The first mcp.json found is read at once: its tab says how many servers wait there.
  if (auto const first = found_->itemData(0).toString(); !first.isEmpty()) import_file(first, false);
  update_drafts();
}

QWidget* AddServerDialog::command_tab() {
  auto* tab = new QWidget;
  auto* form = new QFormLayout(tab);
  program_ = new QLineEdit;
  program_->setPlaceholderText(tr("python3, node, npx, uvx, or the server's own program"));
  QPushButton* pick_script = nullptr;
  form->addRow(tr("Program"), with_browse(program_, pick_script));
  arguments_ = new QLineEdit;
  arguments_->setPlaceholderText(tr("as in a shell, e.g. notes_server.py --db 'my notes.db'"));
  form->addRow(tr("Arguments"), arguments_);
  cwd_ = new QLineEdit;
  cwd_->setPlaceholderText(tr("the gateway's own, unless set"));
  QPushButton* pick_directory = nullptr;
  form->addRow(tr("Working directory"), with_browse(cwd_, pick_directory));
  environment_ = lines_edit(tr("NAME=VALUE, one a line; ${VAR} takes the gateway's"));
  form->addRow(tr("Environment"), environment_);
  connect(pick_script, &QPushButton::clicked, this, [this] {
    auto const path = QFileDialog::getOpenFileName(this, tr("Your MCP server's script or program"));
    if (!path.isEmpty()) use_script(path);
  });
  connect(pick_directory, &QPushButton::clicked, this, [this] {
    auto const path = QFileDialog::getExistingDirectory(this, tr("Its working directory"));
    if (!path.isEmpty()) cwd_->setText(path);
  });
  return tab;
}

QWidget* AddServerDialog::url_tab() {
  auto* tab = new QWidget;
  auto* form = new QFormLayout(tab);
  url_ = new QLineEdit;
  url_->setPlaceholderText(QStringLiteral("http://127.0.0.1:8000/mcp"));
  form->addRow(tr("URL"), url_);
  headers_ = lines_edit(tr("Name: value, one a line, e.g. Authorization: Bearer ${NOTES_TOKEN}"));
  form->addRow(tr("Headers"), headers_);
  return tab;
}

QWidget* AddServerDialog::mcp_json_tab(QString const& home, QString const& project) {
  auto* tab = new QWidget;
  auto* layout = new QVBoxLayout(tab);
  auto* row = new QHBoxLayout;
  found_ = new QComboBox;
  for (auto const& location : mcp_json_locations(home, project))
    found_->addItem(QStringLiteral("%1: %2").arg(location.label, location.path), location.path);
  if (found_->count() == 0) found_->addItem(tr("no mcp.json found where Claude, Cursor or VS Code keep it"));
  row->addWidget(found_, 1);
  auto* browse = new QPushButton(tr("Browse…"));
  row->addWidget(browse);
  layout->addLayout(row);
  servers_ = new QListWidget;
  layout->addWidget(servers_, 1);
  connect(found_, &QComboBox::activated, this, [this](int index) {
    if (auto const path = found_->itemData(index).toString(); !path.isEmpty()) import_file(path);
  });
  connect(browse, &QPushButton::clicked, this, [this] {
    auto const path = QFileDialog::getOpenFileName(this, tr("An mcp.json file"), {}, tr("JSON (*.json);;All files (*)"));
    if (!path.isEmpty()) import_file(path);
  });
  return tab;
}

void AddServerDialog::import_file(QString const& path, bool show) {
  if (show) tabs_->setCurrentIndex(kMcpJsonTab);
  if (found_->findData(path) < 0) found_->addItem(path, path);
  found_->setCurrentIndex(found_->findData(path));
  import_problem_.clear();
  imported_ = drafts_from_mcp_json(path, import_problem_);
  QSignalBlocker const quiet(servers_);
  servers_->clear();
  for (auto const& draft : imported_) {
    auto* item = new QListWidgetItem(QStringLiteral("%1  (%2)").arg(draft.name, draft.summary()), servers_);
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(Qt::Checked);
  }
  tabs_->setTabText(kMcpJsonTab, imported_.isEmpty() ? tr("Import mcp.json")
                                                     : tr("Import mcp.json (%n server(s))", nullptr, int(imported_.size())));
  update_drafts();
}

void AddServerDialog::use_script(QString const& path) {
  tabs_->setCurrentIndex(kCommandTab);
  auto const suffix = QFileInfo(path).suffix().toLower();
  QString const runner = suffix == "py" ? QStringLiteral("python3")
                         : suffix == "js" || suffix == "mjs" || suffix == "cjs" ? QStringLiteral("node")
                                                                                : QString();
  if (runner.isEmpty()) {
    program_->setText(path);
  } else {
    program_->setText(runner);
    arguments_->setText(shell_quoted(path));
  }
  if (cwd_->text().isEmpty()) cwd_->setText(QFileInfo(path).absolutePath());
}

void AddServerDialog::suggest_name() {
  if (name_edited_) return;
  QString name;
  if (tabs_->currentIndex() == kCommandTab && !program_->text().trimmed().isEmpty())
    name = upstream_name_for(QStringList{program_->text().trimmed()} + arguments_->text().split(' ', Qt::SkipEmptyParts));
  else if (tabs_->currentIndex() == kUrlTab && !url_->text().trimmed().isEmpty())
    name = name_for_url(QUrl(url_->text().trimmed()));
  QSignalBlocker const quiet(name_);
  name_->setText(name);
}

void AddServerDialog::update_drafts() {
  drafts_.clear();
  QString problem;
  switch (tabs_->currentIndex()) {
    case kCommandTab:
      if (auto draft = draft_from_command(name_->text().trimmed(), program_->text(), arguments_->text(), cwd_->text(),
                                          environment_->toPlainText(), problem))
        drafts_.append(std::move(*draft));
      break;
    case kUrlTab:
      if (auto draft = draft_from_url(name_->text().trimmed(), url_->text(), headers_->toPlainText(), problem))
        drafts_.append(std::move(*draft));
      break;
    case kMcpJsonTab:
      problem = import_problem_;
      for (int row = 0; row < servers_->count() && row < imported_.size(); ++row)
        if (servers_->item(row)->checkState() == Qt::Checked) drafts_.append(imported_[row]);
      if (problem.isEmpty() && drafts_.isEmpty())
        problem = imported_.isEmpty() ? tr("pick an mcp.json file") : tr("tick the servers to add");
      break;
  }
  QStringList tables;
  for (auto const& draft : drafts_) tables << toml_table(draft);
  preview_->setPlainText(tables.join('\n'));
  problem_->setText(problem);
  add_->setEnabled(!drafts_.isEmpty());
}

}  // namespace prodmcp::console
