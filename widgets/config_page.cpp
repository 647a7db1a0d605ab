#include "config_page.hpp"

#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QMessageBox>
#include <QScrollBar>
#include <QTextBlock>
#include <QVBoxLayout>

#include "config_form.hpp"
#include "palette.hpp"
#include "status_tint_delegate.hpp"
#include "toml_highlighter.hpp"

namespace prodmcp::console {

namespace {

QTableView* comparison_view(ConfigComparisonModel& model) {
  auto* view = new QTableView;
  view->setModel(&model);
  // Tinted by what an apply would do to the row.
  view->setItemDelegate(new StatusTintDelegate(ConfigComparisonModel::kStatusRole, [](QVariant const& value) {
    using Status = ComparisonRow::Status;
    switch (static_cast<Status>(value.toInt())) {
      case Status::kSame: return QColor();
      case Status::kOverridden: return palette::kIdle;
      case Status::kRestart:
      case Status::kPending: return palette::kWarn;
      default: return palette::kAccent;
    }
  }, view));
  view->verticalHeader()->hide();
  view->setSelectionBehavior(QAbstractItemView::SelectRows);
  view->setWordWrap(false);
  view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
  view->horizontalHeader()->setStretchLastSection(true);
  view->setColumnWidth(ConfigComparisonModel::kKey, 240);
  view->setColumnWidth(ConfigComparisonModel::kLeft, 260);
  view->setColumnWidth(ConfigComparisonModel::kRight, 260);
  return view;
}

QComboBox* profile_box(QStringList const& profiles, QString const& current) {
  auto* box = new QComboBox;
  for (auto const& profile : profiles) box->addItem(profile);
  box->setCurrentText(current);
  return box;
}

}  // namespace

ConfigPage::ConfigPage(ConsoleSession& session, QWidget* parent)
    : QWidget(parent), session_(session), editor_(session.config_editor()) {
  auto* layout = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  file_label_ = new QLabel;
  file_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  // A long path must not widen the whole window: the label takes what is left (full path in the tooltip).
  file_label_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  open_ = new QPushButton(tr("Open…"));
  save_ = new QPushButton(tr("Save"));
  save_as_ = new QPushButton(tr("Save as…"));
  revert_ = new QPushButton(tr("Revert"));
  revert_->setToolTip(tr("Drop unsaved edits and show the file as it is on disk"));
  profile_ = new QComboBox;
  profile_->addItem(tr("(default)"), QString());
  for (auto const& name : editor_.schema().profiles()) profile_->addItem(name, name);
  profile_->setCurrentIndex(std::max(0, profile_->findData(editor_.document().profile())));
  profile_->setToolTip(tr("The profile the document is checked under and applied with"));
  apply_ = new QPushButton(tr("Apply to server"));
  apply_->setToolTip(tr("Save, then reload the server (SIGHUP) or restart it when a changed key needs it; "
                        "restores the previous file if the server refuses it or turns not ready"));
  apply_->setEnabled(session.supervisor() != nullptr);
  for (auto* button : {open_, save_, save_as_, revert_}) bar->addWidget(button);
  bar->addSpacing(12);
  bar->addWidget(new QLabel(tr("Profile")));
  bar->addWidget(profile_);
  bar->addWidget(apply_);
  bar->addSpacing(12);
  bar->addWidget(file_label_, 1);
  layout->addLayout(bar);

  auto* state = new QHBoxLayout;
  status_ = new QLabel;
  status_->setTextFormat(Qt::RichText);
  apply_label_ = new QLabel;
  apply_label_->setWordWrap(true);
  state->addWidget(status_);
  state->addWidget(apply_label_, 1);
  layout->addLayout(state);

  conflict_bar_ = new QWidget;
  conflict_bar_->setStyleSheet(QStringLiteral("background: #fff3e0;"));
  auto* conflict_layout = new QHBoxLayout(conflict_bar_);
  conflict_layout->addWidget(new QLabel(tr("The file changed on disk, and this document has unsaved edits.")), 1);
  auto* take_disk = new QPushButton(tr("Show the file on disk"));
  auto* keep_mine = new QPushButton(tr("Keep my edits"));
  conflict_layout->addWidget(take_disk);
  conflict_layout->addWidget(keep_mine);
  conflict_bar_->hide();
  layout->addWidget(conflict_bar_);

  tabs_ = new QTabWidget;
  form_ = new ConfigForm(editor_.document());
  form_->set_schema(editor_.schema());
  tabs_->addTab(form_, tr("Form"));
  tabs_->addTab(build_text_tab(), tr("Text"));
  tabs_->addTab(build_running_tab(), tr("Compare with running"));
  tabs_->addTab(build_profiles_tab(), tr("Compare profiles"));
  layout->addWidget(tabs_, 1);

  problems_ = new QListWidget;
  problems_->setMaximumHeight(110);
  problems_->setToolTip(tr("Double-click a problem to see it in the text"));
  layout->addWidget(problems_);

  connect(&editor_.document(), &ConfigDocument::changed, this, [this] {
    show_document();
    show_problems();
  });
  connect(&editor_, &ConfigEditor::modified_changed, this, &ConfigPage::show_file_state);
  connect(&editor_, &ConfigEditor::schema_changed, this, [this] { form_->set_schema(editor_.schema()); });
  connect(&editor_, &ConfigEditor::conflict_on_disk, conflict_bar_, &QWidget::show);
  connect(take_disk, &QPushButton::clicked, this, [this] {
    editor_.revert_to_disk();
    conflict_bar_->hide();
  });
  connect(keep_mine, &QPushButton::clicked, conflict_bar_, &QWidget::hide);
  connect(open_, &QPushButton::clicked, this, &ConfigPage::open_file);
  connect(save_, &QPushButton::clicked, this, &ConfigPage::save);
  connect(save_as_, &QPushButton::clicked, this, &ConfigPage::save_as);
  connect(revert_, &QPushButton::clicked, this, [this] { editor_.revert_to_disk(); });
  connect(profile_, &QComboBox::currentIndexChanged, this,
          [this] { editor_.document().set_profile(profile_->currentData().toString()); });
  connect(apply_, &QPushButton::clicked, this, [this] {
    if (editor_.file().path().isEmpty()) save_as();
    if (editor_.file().path().isEmpty()) return;
    QString error;
    if (!editor_.apply(&error)) apply_label_->setText(tr("Not applied: %1").arg(error));
  });
  connect(&editor_.applier(), &ConfigApplier::phase_changed, this, [this](ConfigApplier::Phase phase, QString const& detail) {
    apply_->setEnabled(phase == ConfigApplier::Phase::kIdle && session_.supervisor());
    if (phase != ConfigApplier::Phase::kIdle) apply_label_->setText(tr("Applying: %1…").arg(detail));
  });
  connect(&editor_.applier(), &ConfigApplier::finished, this, [this](bool accepted, QString const& summary) {
    apply_label_->setText((accepted ? palette::badge(tr("applied"), palette::kGood)
                                    : palette::badge(tr("not applied"), palette::kBad)) +
                          QStringLiteral(" ") + summary.toHtmlEscaped());
  });
  apply_label_->setTextFormat(Qt::RichText);
  connect(problems_, &QListWidget::itemDoubleClicked, this, &ConfigPage::go_to_problem);
  show_document();
  show_problems();
  show_file_state();
}

QWidget* ConfigPage::build_text_tab() {
  text_ = new QPlainTextEdit;
  text_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  text_->setLineWrapMode(QPlainTextEdit::NoWrap);
  text_->setPlaceholderText(tr("# An empty file: every key has its default (or the profile's).\n"
                               "# Type TOML here, or use the form."));
  new TomlHighlighter(text_->document());
  connect(text_, &QPlainTextEdit::textChanged, this, [this] { editor_.document().set_text(text_->toPlainText()); });
  return text_;
}

QWidget* ConfigPage::build_running_tab() {
  auto* tab = new QWidget;
  auto* layout = new QVBoxLayout(tab);
  auto* bar = new QHBoxLayout;
  running_label_ = new QLabel;
  running_label_->setWordWrap(true);
  only_differences_ = new QCheckBox(tr("Only differences"));
  only_differences_->setChecked(true);
  auto* refresh = new QPushButton(tr("Refresh"));
  bar->addWidget(running_label_, 1);
  bar->addWidget(only_differences_);
  bar->addWidget(refresh);
  layout->addLayout(bar);
  auto& model = editor_.running_comparison();
  model.set_only_differences(true);
  running_view_ = comparison_view(model);
  layout->addWidget(running_view_, 1);
  connect(only_differences_, &QCheckBox::toggled, this, [&model](bool only) { model.set_only_differences(only); });
  connect(refresh, &QPushButton::clicked, &editor_, &ConfigEditor::refresh_running);
  auto show = [this, &model] {
    running_label_->setText(!editor_.running_problem().isEmpty()
                                ? tr("Running config not available: %1").arg(editor_.running_problem())
                                : (model.difference_count() == 1 ? tr("1 key differs") : tr("%1 keys differ").arg(model.difference_count())) +
                                      tr(" from the running server (GET /config on its admin port). Hover a value for where it came from."));
  };
  connect(&editor_, &ConfigEditor::running_changed, this, show);
  connect(&model, &QAbstractItemModel::modelReset, this, show);
  show();
  return tab;
}

QWidget* ConfigPage::build_profiles_tab() {
  auto* tab = new QWidget;
  auto* layout = new QVBoxLayout(tab);
  auto* bar = new QHBoxLayout;
  auto const profiles = editor_.schema().profiles();
  left_profile_ = profile_box(profiles, QStringLiteral("development"));
  right_profile_ = profile_box(profiles, QStringLiteral("production"));
  auto* only = new QCheckBox(tr("Only differences"));
  only->setChecked(true);
  bar->addWidget(new QLabel(tr("This document under")));
  bar->addWidget(left_profile_);
  bar->addWidget(new QLabel(tr("and under")));
  bar->addWidget(right_profile_);
  bar->addStretch();
  bar->addWidget(only);
  layout->addLayout(bar);
  auto& model = editor_.profile_comparison();
  model.set_only_differences(true);
  profile_view_ = comparison_view(model);
  layout->addWidget(profile_view_, 1);
  auto compare = [this] { editor_.compare_profiles(left_profile_->currentText(), right_profile_->currentText()); };
  connect(left_profile_, &QComboBox::currentIndexChanged, this, compare);
  connect(right_profile_, &QComboBox::currentIndexChanged, this, compare);
  connect(only, &QCheckBox::toggled, this, [&model](bool on) { model.set_only_differences(on); });
  compare();
  return tab;
}

void ConfigPage::show_document() {
  auto const& text = editor_.document().text();
  if (text_->toPlainText() != text) {
    // Keep the view where it was: an edit from the form changes one line.
    auto const scroll = text_->verticalScrollBar()->value();
    auto const position = text_->textCursor().position();
    QSignalBlocker blocker(text_);
    text_->setPlainText(text);
    auto cursor = text_->textCursor();
    cursor.setPosition(std::min<int>(position, int(text.size())));
    text_->setTextCursor(cursor);
    text_->verticalScrollBar()->setValue(scroll);
  }
}

void ConfigPage::show_problems() {
  problems_->clear();
  QList<QTextEdit::ExtraSelection> marks;
  auto* document = text_->document();
  for (auto const& problem : editor_.document().problems()) {
    auto* item = new QListWidgetItem(problem.text(), problems_);
    item->setForeground(problem.error ? palette::kBad : palette::kWarn);
    item->setData(Qt::UserRole, problem.line);
    item->setData(Qt::UserRole + 1, problem.column);
    if (problem.line <= 0 || problem.line > document->blockCount()) continue;
    auto const block = document->findBlockByNumber(problem.line - 1);
    QTextCursor cursor(block);
    auto const column = std::clamp(problem.column - 1, 0, std::max(0, int(block.length()) - 1));
    cursor.setPosition(block.position() + column);
    cursor.movePosition(QTextCursor::EndOfBlock, QTextCursor::KeepAnchor);
    if (!cursor.hasSelection()) cursor.movePosition(QTextCursor::StartOfBlock, QTextCursor::KeepAnchor);
    QTextEdit::ExtraSelection mark;
    mark.cursor = cursor;
    mark.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
    mark.format.setUnderlineColor(problem.error ? palette::kBad : palette::kWarn);
    mark.format.setToolTip(problem.text());
    marks << mark;
  }
  text_->setExtraSelections(marks);
  problems_->setVisible(problems_->count() > 0);
  auto const errors = editor_.document().error_count();
  status_->setText(errors > 0 ? palette::badge(errors == 1 ? tr("1 error") : tr("%1 errors").arg(errors), palette::kBad)
                              : palette::badge(tr("valid"), palette::kGood));
}

void ConfigPage::show_file_state() {
  auto const& path = editor_.file().path();
  file_label_->setToolTip(path);
  file_label_->setText((path.isEmpty() ? tr("untitled (the server runs on its built-in defaults)") : path) +
                       (editor_.modified() ? tr("  — unsaved edits") : QString()));
  revert_->setEnabled(!path.isEmpty() && editor_.modified());
}

void ConfigPage::go_to_problem(QListWidgetItem* item) {
  int const line = item->data(Qt::UserRole).toInt();
  if (line <= 0) return;
  tabs_->setCurrentWidget(text_);
  auto const block = text_->document()->findBlockByNumber(line - 1);
  QTextCursor cursor(block);
  cursor.setPosition(block.position() + std::clamp(item->data(Qt::UserRole + 1).toInt() - 1, 0,
                                                   std::max(0, int(block.length()) - 1)));
  text_->setTextCursor(cursor);
  text_->setFocus();
}

bool ConfigPage::save() {
  QString error;
  if (editor_.file().path().isEmpty()) {
    save_as();
    return !editor_.modified();
  }
  if (!editor_.save(&error)) {
    apply_label_->setText(tr("Not saved: %1").arg(error.toHtmlEscaped()));
    return false;
  }
  apply_label_->setText(tr("Saved %1 (the previous version is %2)")
                            .arg(editor_.file().path(), ConfigFile::backup_path(editor_.file().path()))
                            .toHtmlEscaped());
  return true;
}

void ConfigPage::save_as() {
  auto const path = QFileDialog::getSaveFileName(this, tr("Save config as"), editor_.file().path(),
                                                 tr("TOML files (*.toml);;All files (*)"));
  if (path.isEmpty()) return;
  QString error;
  if (!editor_.save_as(path, &error)) apply_label_->setText(tr("Not saved: %1").arg(error.toHtmlEscaped()));
  show_file_state();
}

void ConfigPage::open_file() {
  if (!confirm_discard()) return;
  auto const path = QFileDialog::getOpenFileName(this, tr("Open config"), editor_.file().path(),
                                                 tr("TOML files (*.toml);;All files (*)"));
  if (path.isEmpty()) return;
  QString error;
  if (!editor_.open(path, &error)) apply_label_->setText(tr("Cannot open %1: %2").arg(path, error).toHtmlEscaped());
  show_file_state();
}

bool ConfigPage::confirm_discard() {
  if (!editor_.modified()) return true;
  auto const answer = QMessageBox::question(this, tr("Unsaved config edits"),
                                            tr("The config document has unsaved edits. Save them?"),
                                            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel,
                                            QMessageBox::Save);
  if (answer == QMessageBox::Cancel) return false;
  return answer == QMessageBox::Discard || save();
}

}  // namespace prodmcp::console
