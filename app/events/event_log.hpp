#pragma once
// The events timeline: starts, exits, restarts, crash loops, alerts, health changes and config
// changes, newest last, bounded. A proxy narrows it to a time range (the chart pivot).
#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <deque>
#include <functional>

namespace prodmcp::console {

enum class EventSeverity { kInfo, kWarning, kCritical };

struct Event {
  qint64 time_ms = 0;  // since the epoch
  EventSeverity severity = EventSeverity::kInfo;
  QString source;  // "prodmcp-server", "alerts", "fleet", "console", ...
  QString kind;    // "start", "exit", "restart", "crash_loop", "alert_firing", ...
  QString message;
};

class EventLog : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { kTime, kSeverity, kSource, kKind, kMessage, kColumnCount };
  enum Role { kTimeRole = Qt::UserRole + 1, kSeverityRole };
  static constexpr std::size_t kCapacity = 10'000;

  explicit EventLog(QObject* parent = nullptr) : QAbstractTableModel(parent) {}

  void add(Event event);
  // Now, with the given fields.
  void add(EventSeverity severity, QString source, QString kind, QString message);
  // What "now" is (a replay's moment); the wall clock by default.
  void set_clock(std::function<qint64()> clock) { clock_ = std::move(clock); }
  std::deque<Event> const& events() const { return events_; }

  int rowCount(QModelIndex const& parent = {}) const override;
  int columnCount(QModelIndex const& parent = {}) const override;
  QVariant data(QModelIndex const& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 signals:
  void added(prodmcp::console::Event const& event);

 private:
  std::deque<Event> events_;
  std::function<qint64()> clock_;
};

QString event_severity_name(EventSeverity severity);

// Rows whose time lies in [from, to]; an empty range (from > to) lets every row through.
class EventTimeFilter : public QSortFilterProxyModel {
  Q_OBJECT
 public:
  using QSortFilterProxyModel::QSortFilterProxyModel;
  void set_time_range(qint64 from_ms, qint64 to_ms);
  void clear_time_range() { set_time_range(1, 0); }

 protected:
  bool filterAcceptsRow(int source_row, QModelIndex const& source_parent) const override;

 private:
  qint64 from_ms_ = 1;
  qint64 to_ms_ = 0;
};

}  // namespace prodmcp::console
