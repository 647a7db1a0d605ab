#include "config_editor/config_comparison.hpp"

#include <QJsonArray>

#include "config_editor/config_document.hpp"

namespace prodmcp::console {

namespace {

struct KeyValue {
  QJsonValue value;
  QString origin;
};

QHash<QString, KeyValue> by_key(QJsonObject const& config) {
  QHash<QString, KeyValue> result;
  for (auto const& item : config.value("keys").toArray()) {
    auto const object = item.toObject();
    result.insert(object.value("key").toString(), {object.value("value"), object.value("origin").toString()});
  }
  return result;
}

bool set_outside_files(QString const& origin) {
  return origin.startsWith(QLatin1String("flag")) || origin.startsWith(QLatin1String("environment"));
}

}  // namespace

QJsonValue config_value(QJsonObject const& config, QString const& key) {
  for (auto const& item : config.value("keys").toArray())
    if (item.toObject().value("key").toString() == key) return item.toObject().value("value");
  return QJsonValue(QJsonValue::Undefined);
}

QString comparison_status_text(ComparisonRow::Status status) {
  switch (status) {
    case ComparisonRow::Status::kSame: return QObject::tr("same");
    case ComparisonRow::Status::kDiffers: return QObject::tr("differs");
    case ComparisonRow::Status::kReload: return QObject::tr("changes on apply (reload)");
    case ComparisonRow::Status::kRestart: return QObject::tr("changes on apply (restart)");
    case ComparisonRow::Status::kOverridden: return QObject::tr("differs, but set by a flag or the environment");
    case ComparisonRow::Status::kPending: return QObject::tr("read by a reload, waits for a restart");
  }
  return {};
}

QList<ComparisonRow> compare_with_running(QJsonObject const& document, QJsonObject const& running,
                                          ConfigSchema const& schema) {
  auto const mine = by_key(document);
  auto const theirs = by_key(running);
  QStringList pending;
  for (auto const& item : running.value("restart_required").toArray()) pending << item.toString();
  QList<ComparisonRow> rows;
  for (auto const& key : schema.keys()) {
    auto const left = mine.value(key.key);
    auto const right = theirs.value(key.key);
    ComparisonRow row{key.key,
                      ConfigDocument::form_text(left.value),
                      left.origin,
                      ConfigDocument::form_text(right.value),
                      right.origin,
                      ComparisonRow::Status::kSame,
                      key.secret};
    if (left.value != right.value) {
      if (set_outside_files(right.origin)) row.status = ComparisonRow::Status::kOverridden;
      else if (pending.contains(key.key)) row.status = ComparisonRow::Status::kPending;
      else row.status = key.reloadable ? ComparisonRow::Status::kReload : ComparisonRow::Status::kRestart;
    }
    rows << row;
  }
  return rows;
}

QList<ComparisonRow> compare_profiles(QJsonObject const& left, QJsonObject const& right, ConfigSchema const& schema) {
  auto const first = by_key(left);
  auto const second = by_key(right);
  QList<ComparisonRow> rows;
  for (auto const& key : schema.keys()) {
    auto const a = first.value(key.key);
    auto const b = second.value(key.key);
    rows << ComparisonRow{key.key,
                          ConfigDocument::form_text(a.value),
                          a.origin,
                          ConfigDocument::form_text(b.value),
                          b.origin,
                          a.value == b.value ? ComparisonRow::Status::kSame : ComparisonRow::Status::kDiffers,
                          key.secret};
  }
  return rows;
}

ConfigComparisonModel::ConfigComparisonModel(QObject* parent) : QAbstractTableModel(parent) {}

void ConfigComparisonModel::set_titles(QString left, QString right) {
  left_title_ = std::move(left);
  right_title_ = std::move(right);
  emit headerDataChanged(Qt::Horizontal, kLeft, kRight);
}

void ConfigComparisonModel::set_rows(QList<ComparisonRow> rows) {
  rows_ = std::move(rows);
  refilter();
}

void ConfigComparisonModel::set_only_differences(bool only) {
  if (only == only_differences_) return;
  only_differences_ = only;
  refilter();
}

int ConfigComparisonModel::difference_count() const {
  return static_cast<int>(std::count_if(rows_.begin(), rows_.end(),
                                        [](auto const& row) { return row.status != ComparisonRow::Status::kSame; }));
}

void ConfigComparisonModel::refilter() {
  beginResetModel();
  shown_.clear();
  for (auto const& row : rows_)
    if (!only_differences_ || row.status != ComparisonRow::Status::kSame) shown_ << row;
  endResetModel();
}

int ConfigComparisonModel::rowCount(QModelIndex const& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(shown_.size());
}

int ConfigComparisonModel::columnCount(QModelIndex const& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QVariant ConfigComparisonModel::data(QModelIndex const& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
  auto const& row = shown_[index.row()];
  if (role == kStatusRole) return static_cast<int>(row.status);
  if (role == Qt::ToolTipRole) {
    if (index.column() == kLeft) return row.left_origin;
    if (index.column() == kRight) return row.right_origin;
    if (row.secret) return tr("a secret: values are masked on both sides");
    return {};
  }
  if (role != Qt::DisplayRole) return {};
  switch (index.column()) {
    case kKey: return row.key;
    case kLeft: return row.left;
    case kRight: return row.right;
    case kStatus:
      // Say which flag or variable keeps the running value.
      return row.status == ComparisonRow::Status::kOverridden ? tr("kept: set by %1").arg(row.right_origin)
                                                              : comparison_status_text(row.status);
  }
  return {};
}

QVariant ConfigComparisonModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kKey: return tr("Key");
    case kLeft: return left_title_;
    case kRight: return right_title_;
    case kStatus: return tr("Status");
  }
  return {};
}

}  // namespace prodmcp::console
