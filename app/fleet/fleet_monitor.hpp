#pragma once
// Several servers at once (the supervised one plus attached development, staging and production
// servers), each checked on an interval (/health and /ready, with a timeout) for availability,
// response time, consecutive failures, an alert level and a health score, as a production monitor
// does: a medium alert at 3 consecutive failed checks, a high one at 5.
#include <QAbstractTableModel>
#include <QNetworkAccessManager>
#include <QTimer>
#include <QUrl>
#include <deque>
#include <vector>

namespace prodmcp::console {

struct FleetTarget {
  QString name;
  QString environment;  // development, staging, production (free text)
  QUrl admin_url;
  QUrl mcp_url;
  bool supervised = false;  // the console's own server: its URLs follow the process
};

enum class FleetAlert { kNone, kMedium, kHigh };
QString fleet_alert_name(FleetAlert alert);

struct FleetCheck {
  bool ok = false;  // /health answered 200 in time
  bool ready = false;
  double response_ms = 0;
};

struct FleetStatus {
  FleetTarget target;
  std::deque<FleetCheck> recent;  // the last kWindow checks, oldest first
  int checks = 0;
  int consecutive_failures = 0;
  QString last_error;
  bool in_flight = false;

  static constexpr std::size_t kWindow = 20;
  double availability() const;       // share of recent checks that passed, 0..1; -1 before any
  double mean_response_ms() const;   // over recent passed checks; 0 before any
  FleetAlert alert() const;
  // 0..100: availability 60, response time 25 (full at <= 100 ms, none at >= 2 s), readiness 15;
  // 0 once 5 checks in a row failed. -1 before the first check.
  int health_score() const;
};

class FleetMonitor : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { kName, kEnvironment, kStatus, kAvailability, kResponse, kFailures, kScore, kAlert, kColumnCount };
  enum Role { kAlertRole = Qt::UserRole + 1, kScoreRole };
  static constexpr int kMediumAfter = 3;
  static constexpr int kHighAfter = 5;

  explicit FleetMonitor(QObject* parent = nullptr);

  void set_interval_ms(int milliseconds) { timer_.setInterval(milliseconds); }
  int interval_ms() const { return timer_.interval(); }
  void set_timeout_ms(int milliseconds) { timeout_ms_ = milliseconds; }

  // Returns the row. A target with the same name is replaced.
  int add(FleetTarget target);
  void remove(int row);
  // The supervised server's URLs changed (empty while it is down: its checks then fail).
  void update_urls(QString const& name, QUrl const& admin_url, QUrl const& mcp_url);
  std::vector<FleetStatus> const& members() const { return members_; }

  int rowCount(QModelIndex const& parent = {}) const override;
  int columnCount(QModelIndex const& parent = {}) const override;
  QVariant data(QModelIndex const& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 public slots:
  void check_all();

 signals:
  // A member's alert level changed (for the events timeline and notifications).
  void alert_changed(QString const& name, prodmcp::console::FleetAlert alert, QString const& detail);

 private:
  void check(std::size_t row);
  void record(QString const& name, FleetCheck check, QString const& error);

  QNetworkAccessManager network_;
  QTimer timer_;
  int timeout_ms_ = 5000;
  std::vector<FleetStatus> members_;
};

}  // namespace prodmcp::console
