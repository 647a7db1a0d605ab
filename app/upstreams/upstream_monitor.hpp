#pragma once
// The gateway's upstreams, live: /upstreams polled on the admin port (state, process, restarts,
// the last exit, tools) joined with each upstream's traffic from the scraped metrics (calls/s,
// error ratio, p50 and p95 over the last 30 s), as one table; restarts on request. Changes of
// state, and restarts that happened between two polls, are signalled for the events timeline.
#include <QAbstractTableModel>
#include <QNetworkAccessManager>
#include <QTimer>
#include <QUrl>
#include <limits>
#include <map>
#include <memory>

#include "metrics/series_store.hpp"
#include "upstreams/upstream_status.hpp"

namespace prodmcp::console {

struct UpstreamTraffic {
  static constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
  double calls_per_second = kNone;
  double error_ratio = kNone;  // 0..1; none without calls
  double p50_seconds = kNone;
  double p95_seconds = kNone;
};

class UpstreamMonitor : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column {
    kName, kState, kTransport, kProcess, kSessions, kRestarts, kLastExit,
    kCallsPerSecond, kErrorRatio, kP50, kP95, kTools, kColumnCount
  };
  enum Role { kStateRole = Qt::UserRole + 1 };  // the row's UpstreamState, as an int
  static constexpr auto kTrafficWindow = "30s";

  explicit UpstreamMonitor(metrics::SeriesStore const& store, QObject* parent = nullptr);
  ~UpstreamMonitor() override;

  // The server's admin URL; empty stops polling (the rows stay as last seen, marked stale).
  void set_admin_url(QUrl const& admin_url);
  void set_interval_ms(int milliseconds) { timer_.setInterval(milliseconds); }

  QList<UpstreamStatus> const& upstreams() const { return upstreams_; }
  UpstreamStatus const* find(QString const& name) const;
  UpstreamTraffic traffic(QString const& name) const;
  // The upstream offering a tool under this (exposed) name; empty when none does.
  QString upstream_of_tool(QString const& tool) const;
  // Why the last poll failed (no answer, refused, not a gateway); empty after a good one.
  QString error() const { return error_; }
  bool stale() const { return admin_url_.isEmpty() || !error_.isEmpty(); }
  int polls() const { return polls_; }

  int rowCount(QModelIndex const& parent = {}) const override;
  int columnCount(QModelIndex const& parent = {}) const override;
  QVariant data(QModelIndex const& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 public slots:
  void poll_now();
  // Asks the gateway to restart `name`'s child now; restart_answered says how it went.
  void restart(QString const& name);
  // Recomputes the traffic columns at `time_ms` (after each scrape).
  void refresh_traffic(qint64 time_ms);

 signals:
  void updated();
  void state_changed(QString const& name, prodmcp::console::UpstreamState from, prodmcp::console::UpstreamState to,
                     QString const& detail);
  // Its restart count rose (an exit the gateway restarted it after); `exit` says how it ended.
  void restarted(QString const& name, qint64 restarts, QString const& exit);
  void restart_answered(QString const& name, bool accepted, QString const& message);

 private:
  void take(QList<UpstreamStatus> upstreams);
  struct Queries;

  metrics::SeriesStore const& store_;
  std::unique_ptr<Queries> queries_;
  QNetworkAccessManager network_;
  QTimer timer_;
  QUrl admin_url_;
  bool polling_ = false;  // a poll is out: polls never stack on a slow server
  int generation_ = 0;    // answers for an older URL are dropped
  int polls_ = 0;
  QString error_;
  QList<UpstreamStatus> upstreams_;
  std::map<QString, UpstreamTraffic> traffic_;
};

}  // namespace prodmcp::console
