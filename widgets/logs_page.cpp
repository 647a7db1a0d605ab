#include "logs_page.hpp"

#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QKeySequence>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QStyledItemDelegate>
#include <QVBoxLayout>

#include "palette.hpp"

namespace prodmcp::console {
namespace {

// Colours the level column by severity.
class LevelDelegate : public QStyledItemDelegate {
 public:
  using QStyledItemDelegate::QStyledItemDelegate;
  void initStyleOption(QStyleOptionViewItem* option, QModelIndex const& index) const override {
    QStyledItemDelegate::initStyleOption(option, index);
    auto const level = logs::Level(index.data(logs::LogTableModel::kLevelRole).toInt());
    if (level >= logs::Level::kError) option->palette.setColor(QPalette::Text, palette::kBad);
    else if (level == logs::Level::kWarning) option->palette.setColor(QPalette::Text, palette::kWarn);
    if (level >= logs::Level::kWarning) option->font.setBold(true);
  }
};

}  // namespace

LogsPage::LogsPage(logs::LogTableModel& model, QWidget* parent) : QWidget(parent), model_(model) {
  auto* layout = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  level_ = new QComboBox;
  level_->addItem(tr("all levels"), QString());
  for (auto const* level : {"debug", "info", "warning", "error"}) level_->addItem(tr("%1 and above").arg(level), level);
  query_ = new QLineEdit;
  query_->setPlaceholderText(tr(R"(filter: text  "two words"  /regex/  method=tools/call  status>=400  correlation_id=…  -exclude)"));
  query_->setClearButtonEnabled(true);
  follow_ = new QCheckBox(tr("Follow"));
  follow_->setChecked(true);
  auto* to_charts = new QPushButton(tr("Show on charts"));
  to_charts->setToolTip(tr("Mark the selected line's time on the charts"));
  to_trace_ = new QPushButton(tr("Show in trace"));
  to_trace_->setToolTip(tr("The selected line's request on the Trace page: both legs of a proxied call"));
  auto* export_jsonl = new QPushButton(tr("Export JSONL…"));
  auto* export_csv = new QPushButton(tr("Export CSV…"));
  bar->addWidget(level_);
  bar->addWidget(query_, 1);
  bar->addWidget(follow_);
  bar->addWidget(to_charts);
  bar->addWidget(to_trace_);
  bar->addWidget(export_jsonl);
  bar->addWidget(export_csv);
  layout->addLayout(bar);
  error_ = new QLabel;
  error_->setStyleSheet(QStringLiteral("color: %1;").arg(palette::kBad.name()));
  error_->hide();
  layout->addWidget(error_);

  table_ = new QTableView;
  table_->setModel(&model_);
  table_->setItemDelegateForColumn(logs::LogTableModel::kLevelColumn, new LevelDelegate(table_));
  table_->verticalHeader()->hide();
  table_->verticalHeader()->setDefaultSectionSize(20);
  table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setWordWrap(false);
  table_->setAlternatingRowColors(true);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->setColumnWidth(logs::LogTableModel::kTimeColumn, 100);
  table_->setColumnWidth(logs::LogTableModel::kLevelColumn, 70);
  table_->setColumnWidth(logs::LogTableModel::kLoggerColumn, 80);
  table_->setColumnWidth(logs::LogTableModel::kEventColumn, 170);
  table_->setColumnWidth(logs::LogTableModel::kCorrelationIdColumn, 250);
  table_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  table_->setToolTip(tr("Click a correlation id to see every line of that request"));
  details_ = new QPlainTextEdit;
  details_->setReadOnly(true);
  details_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
  details_->setPlaceholderText(tr("Select a line to see all its fields"));
  auto* splitter = new QSplitter(Qt::Vertical);
  splitter->addWidget(table_);
  splitter->addWidget(details_);
  splitter->setStretchFactor(0, 4);
  splitter->setStretchFactor(1, 1);
  layout->addWidget(splitter, 1);
  status_ = new QLabel;
  layout->addWidget(status_);

  connect(query_, &QLineEdit::returnPressed, this, &LogsPage::apply_query);
  // Esc in the filter clears it (and so shows every line again).
  auto* clear = new QShortcut(QKeySequence(Qt::Key_Escape), query_, nullptr, nullptr, Qt::WidgetShortcut);
  connect(clear, &QShortcut::activated, query_, &QLineEdit::clear);
  connect(query_, &QLineEdit::textChanged, this, [this](QString const& text) {
    if (text.isEmpty()) apply_query();
  });
  connect(level_, &QComboBox::currentIndexChanged, this, &LogsPage::apply_query);
  connect(&model_, &logs::LogTableModel::rows_appended, this, [this] {
    if (follow_->isChecked()) table_->scrollToBottom();
    refresh_status();
  });
  connect(&model_, &logs::LogTableModel::filter_progress, this, &LogsPage::refresh_status);
  connect(&model_, &logs::LogTableModel::filter_finished, this, &LogsPage::refresh_status);
  connect(&model_, &QAbstractItemModel::rowsRemoved, this, &LogsPage::refresh_status);
  connect(table_, &QTableView::clicked, this, [this](QModelIndex const& index) {
    if (index.column() != logs::LogTableModel::kCorrelationIdColumn) return;
    auto const id = index.data().toString();
    if (!id.isEmpty()) show_correlation_id(id);
  });
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &LogsPage::show_selected);
  connect(to_trace_, &QPushButton::clicked, this, [this] {
    auto const index = table_->currentIndex();
    if (!index.isValid()) return;
    auto const id = index.siblingAtColumn(logs::LogTableModel::kCorrelationIdColumn).data().toString();
    if (!id.isEmpty()) emit show_in_trace(id);
  });
  connect(to_charts, &QPushButton::clicked, this, [this] {
    auto const index = table_->currentIndex();
    if (index.isValid()) emit jump_to_time(index.data(logs::LogTableModel::kTimestampRole).toLongLong());
  });
  connect(export_jsonl, &QPushButton::clicked, this, [this] { export_lines(false); });
  connect(export_csv, &QPushButton::clicked, this, [this] { export_lines(true); });
  auto* copy = new QShortcut(QKeySequence::Copy, table_);
  connect(copy, &QShortcut::activated, this, [this] {
    QList<int> rows;
    for (auto const& index : table_->selectionModel()->selectedRows()) rows << index.row();
    std::sort(rows.begin(), rows.end());
    QApplication::clipboard()->setText(model_.copy_text(rows));
  });
  refresh_status();
}

bool LogsPage::apply_query() {
  QString query = query_->text().trimmed();
  if (auto const level = level_->currentData().toString(); !level.isEmpty()) query = "level>=" + level + " " + query;
  QString error;
  if (!model_.set_query(query, &error)) {
    error_->setText(tr("Cannot filter: %1").arg(error));
    error_->show();
    return false;
  }
  error_->hide();
  refresh_status();
  return true;
}

void LogsPage::set_time_range(qint64 from_ms, qint64 to_ms) {
  model_.set_time_range(from_ms, to_ms);
  query_->setText(model_.query());
  follow_->setChecked(false);
  refresh_status();
}

void LogsPage::show_correlation_id(QString const& id) {
  model_.set_correlation_id(id);
  query_->setText(model_.query());
  level_->blockSignals(true);
  level_->setCurrentIndex(0);
  level_->blockSignals(false);
  follow_->setChecked(false);
  refresh_status();
}

void LogsPage::show_query(QString const& query) {
  level_->blockSignals(true);
  level_->setCurrentIndex(0);
  level_->blockSignals(false);
  query_->setText(query);
  follow_->setChecked(false);
  apply_query();
}

void LogsPage::show_selected() {
  auto const index = table_->currentIndex();
  if (!index.isValid()) return details_->clear();
  auto const raw = index.data(logs::LogTableModel::kRawLineRole).toString();
  auto const document = QJsonDocument::fromJson(raw.toUtf8());
  details_->setPlainText(document.isObject() ? QString::fromUtf8(document.toJson(QJsonDocument::Indented)) : raw);
}

void LogsPage::refresh_status() {
  auto const& store = model_.store();
  QString text = tr("%1 lines held (%2 MiB), %3 shown")
                     .arg(store.size())
                     .arg(double(store.memory_bytes()) / (1 << 20), 0, 'f', 1)
                     .arg(model_.rowCount());
  if (model_.is_filtering()) text += tr(" · filtering…");
  else if (model_.is_filtered()) text += tr(" · filter: %1").arg(model_.query());
  if (store.evicted() > 0) text += tr(" · %1 oldest lines dropped").arg(store.evicted());
  status_->setText(text);
}

void LogsPage::export_lines(bool csv) {
  auto const path = QFileDialog::getSaveFileName(this, tr("Export the shown lines"), QString(),
                                                 csv ? tr("CSV (*.csv)") : tr("JSON Lines (*.jsonl)"));
  if (path.isEmpty()) return;
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
    status_->setText(tr("Cannot write %1: %2").arg(path, file.errorString()));
    return;
  }
  auto const written = csv ? model_.export_csv(file) : model_.export_json_lines(file);
  status_->setText(written < 0 ? tr("Writing %1 failed").arg(path) : tr("%1 lines written to %2").arg(written).arg(path));
}

}  // namespace prodmcp::console
