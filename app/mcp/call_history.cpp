#include "mcp/call_history.hpp"

#include <QDateTime>
#include <QJsonDocument>

namespace prodmcp::console {

QString CallRecord::outcome() const {
  if (!answer.ok) return QStringLiteral("error");
  return answer.result.value("isError").toBool() ? QStringLiteral("tool error") : QStringLiteral("ok");
}

void CallHistory::add(CallRecord record) {
  if (records_.size() >= kCapacity) {
    beginRemoveRows({}, 0, 0);
    records_.pop_front();
    endRemoveRows();
  }
  int const row = int(records_.size());
  beginInsertRows({}, row, row);
  records_.push_back(std::move(record));
  endInsertRows();
}

int CallHistory::rowCount(QModelIndex const& parent) const { return parent.isValid() ? 0 : int(records_.size()); }
int CallHistory::columnCount(QModelIndex const& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QVariant CallHistory::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kTime: return tr("Time");
    case kTool: return tr("Tool");
    case kArguments: return tr("Arguments");
    case kOutcome: return tr("Outcome");
    case kLatency: return tr("Latency");
    case kCorrelationId: return tr("Correlation id");
  }
  return {};
}

QVariant CallHistory::data(QModelIndex const& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid) || role != Qt::DisplayRole) return {};
  auto const& record = records_[std::size_t(index.row())];
  switch (index.column()) {
    case kTime: return QDateTime::fromMSecsSinceEpoch(record.time_ms).toString("hh:mm:ss");
    case kTool: return record.tool;
    case kArguments: return QString::fromUtf8(QJsonDocument(record.arguments).toJson(QJsonDocument::Compact));
    case kOutcome: return record.outcome();
    case kLatency: return QStringLiteral("%1 ms").arg(record.answer.latency_ms, 0, 'f', 1);
    case kCorrelationId: return record.answer.correlation_id;
  }
  return {};
}

}  // namespace prodmcp::console
