#include "events/event_log.hpp"

#include <QDateTime>

namespace prodmcp::console {

QString event_severity_name(EventSeverity severity) {
  switch (severity) {
    case EventSeverity::kInfo: return QStringLiteral("info");
    case EventSeverity::kWarning: return QStringLiteral("warning");
    case EventSeverity::kCritical: return QStringLiteral("critical");
  }
  return {};
}

void EventLog::add(Event event) {
  if (events_.size() >= kCapacity) {
    beginRemoveRows({}, 0, 0);
    events_.pop_front();
    endRemoveRows();
  }
  int const row = int(events_.size());
  beginInsertRows({}, row, row);
  events_.push_back(std::move(event));
  endInsertRows();
  emit added(events_.back());
}

void EventLog::add(EventSeverity severity, QString source, QString kind, QString message) {
  add(Event{clock_ ? clock_() : QDateTime::currentMSecsSinceEpoch(), severity, std::move(source), std::move(kind),
            std::move(message)});
}

int EventLog::rowCount(QModelIndex const& parent) const { return parent.isValid() ? 0 : int(events_.size()); }
int EventLog::columnCount(QModelIndex const& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QVariant EventLog::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kTime: return tr("Time");
    case kSeverity: return tr("Severity");
    case kSource: return tr("Source");
    case kKind: return tr("Event");
    case kMessage: return tr("Message");
  }
  return {};
}

QVariant EventLog::data(QModelIndex const& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
  auto const& event = events_[std::size_t(index.row())];
  if (role == kTimeRole) return event.time_ms;
  if (role == kSeverityRole) return int(event.severity);
  if (role == Qt::ToolTipRole && index.column() == kMessage) return event.message;
  if (role != Qt::DisplayRole) return {};
  switch (index.column()) {
    case kTime: return QDateTime::fromMSecsSinceEpoch(event.time_ms).toString("yyyy-MM-dd hh:mm:ss");
    case kSeverity: return event_severity_name(event.severity);
    case kSource: return event.source;
    case kKind: return event.kind;
    case kMessage: return event.message;
  }
  return {};
}

void EventTimeFilter::set_time_range(qint64 from_ms, qint64 to_ms) {
  from_ms_ = from_ms;
  to_ms_ = to_ms;
  invalidateFilter();
}

bool EventTimeFilter::filterAcceptsRow(int source_row, QModelIndex const& source_parent) const {
  if (from_ms_ > to_ms_) return true;
  qint64 const time = sourceModel()->index(source_row, 0, source_parent).data(EventLog::kTimeRole).toLongLong();
  return time >= from_ms_ && time <= to_ms_;
}

}  // namespace prodmcp::console
