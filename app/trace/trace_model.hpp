#pragma once
// The gateway's proxied calls, both legs each (the admin port's /trace), as the Trace page's
// table: polled on an interval from where the last poll ended, the newest kept (bounded).
#include <QAbstractTableModel>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QTimer>
#include <QUrl>
#include <deque>

namespace prodmcp::console {

struct TracedLeg {
  qint64 upstream_id = 0;
  double sent_after_ms = 0;
  double duration_ms = 0;
  QString outcome;
};

struct TracedCall {
  quint64 seq = 0;
  qint64 at_ms = 0;
  QString correlation_id, session, client_id, method, name, upstream, outcome, error;
  double total_ms = 0, upstream_ms = 0, gateway_ms = 0;
  QList<TracedLeg> legs;
  QJsonObject raw;  // as the server sent it, for the details view
};

class TraceModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { kTime, kCorrelationId, kMethod, kName, kUpstream, kClientId, kUpstreamIds, kTotal, kUpstreamTime,
                kGatewayTime, kOutcome, kColumnCount };
  enum Role { kCallRole = Qt::UserRole + 1 };  // the row's index into calls()
  static constexpr std::size_t kMaxCalls = 5000;

  explicit TraceModel(QObject* parent = nullptr);

  // The server's admin URL; empty stops polling (the calls stay).
  void set_admin_url(QUrl const& admin_url);
  void set_interval_ms(int milliseconds) { timer_.setInterval(milliseconds); }
  std::deque<TracedCall> const& calls() const { return calls_; }
  QString error() const { return error_; }
  quint64 skipped() const { return skipped_; }  // calls the server's ring dropped before we read them
  void clear();

  int rowCount(QModelIndex const& parent = {}) const override;
  int columnCount(QModelIndex const& parent = {}) const override;
  QVariant data(QModelIndex const& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 public slots:
  void poll_now();

 signals:
  void updated();

 private:
  qsizetype take(QJsonObject const& page);  // how many calls it held

  QNetworkAccessManager network_;
  QTimer timer_;
  QUrl admin_url_;
  int generation_ = 0;
  bool polling_ = false;
  quint64 next_ = 0;
  quint64 skipped_ = 0;
  QString error_;
  std::deque<TracedCall> calls_;
};

}  // namespace prodmcp::console
