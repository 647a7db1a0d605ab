#include "health/health_model.hpp"

#include <QDateTime>

namespace prodmcp::console {

HealthModel::HealthModel(HealthPoller const& poller, QObject* parent) : QAbstractTableModel(parent), poller_(poller) {
  connect(&poller, &HealthPoller::updated, this, &HealthModel::refresh);
}

int HealthModel::rowCount(QModelIndex const& parent) const { return parent.isValid() ? 0 : rows_; }
int HealthModel::columnCount(QModelIndex const& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QVariant HealthModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kName: return tr("Check");
    case kState: return tr("State");
    case kLatency: return tr("Latency");
    case kDetail: return tr("Detail");
    case kHistory: return tr("History");
  }
  return {};
}

QVariant HealthModel::data(QModelIndex const& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
  auto const& check = poller_.checks()[std::size_t(index.row())];
  auto const* latest = check.latest();
  if (role == kStateRole) return int(latest ? latest->state : CheckState::kUnknown);
  if (role == kHistoryRole) {
    QVariantList states;
    for (auto const& sample : check.samples) states.append(int(sample.state));
    return states;
  }
  if (role == Qt::ToolTipRole && latest)
    return tr("%1 at %2").arg(check_state_name(latest->state),
                              QDateTime::fromMSecsSinceEpoch(latest->time_ms).toString("hh:mm:ss"));
  if (role != Qt::DisplayRole) return {};
  switch (index.column()) {
    case kName: return check.name;
    case kState: return latest ? check_state_name(latest->state) : QString();
    case kLatency:
      return latest ? QStringLiteral("%1 ms").arg(latest->latency_ms, 0, 'f', latest->latency_ms < 10 ? 2 : 0) : QString();
    case kDetail: return latest ? latest->detail : QString();
    default: return {};
  }
}

void HealthModel::refresh() {
  int const rows = int(poller_.checks().size());
  if (rows != rows_) {
    beginResetModel();
    rows_ = rows;
    endResetModel();
    return;
  }
  if (rows_ > 0) emit dataChanged(index(0, 0), index(rows_ - 1, kColumnCount - 1));
}

}  // namespace prodmcp::console
