#pragma once
// Polls one server's /health and /ready (admin port) and makes an MCP round-trip, on an interval
// and always with a timeout, and keeps each check's recent history for the health panel: liveness,
// readiness, every dependency check /ready reports, and the MCP probe.
#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QObject>
#include <QTimer>
#include <QUrl>
#include <deque>
#include <vector>

#include "health/mcp_probe.hpp"

namespace prodmcp::console {

enum class CheckState { kHealthy, kDegraded, kUnhealthy, kUnknown };
QString check_state_name(CheckState state);
// "healthy"/"ok"/"ready" -> healthy, "degraded" -> degraded, anything else -> unhealthy.
CheckState parse_check_state(QString const& status);

struct CheckSample {
  qint64 time_ms = 0;  // since the epoch
  CheckState state = CheckState::kUnknown;
  double latency_ms = 0;
  QString detail;
};

struct CheckHistory {
  QString name;
  std::deque<CheckSample> samples;  // oldest first, bounded
  CheckSample const* latest() const { return samples.empty() ? nullptr : &samples.back(); }
};

class HealthPoller : public QObject {
  Q_OBJECT
 public:
  static constexpr std::size_t kHistoryLength = 120;
  // Row names that are not /ready checks.
  static inline QString const kLiveness = QStringLiteral("liveness (/health)");
  static inline QString const kReadiness = QStringLiteral("readiness (/ready)");
  static inline QString const kMcpRoundTrip = QStringLiteral("MCP round-trip (tools/list)");

  explicit HealthPoller(QObject* parent = nullptr);

  // Empty URLs stop the polling (the server is not up); new URLs start afresh.
  void set_endpoints(QUrl const& admin_url, QUrl const& mcp_url);
  void set_interval_ms(int milliseconds) { timer_.setInterval(milliseconds); }
  void set_timeout_ms(int milliseconds);
  void set_bearer_token(QString token) { probe_.set_bearer_token(std::move(token)); }

  std::vector<CheckHistory> const& checks() const { return checks_; }
  // Polls in a row where liveness failed (no answer, or not 200).
  int consecutive_failures() const { return consecutive_failures_; }
  // The latest poll finished and /health answered 200 (false before the first poll).
  bool live() const { return polls_ > 0 && consecutive_failures_ == 0; }
  // The latest sample of a row (kLiveness, "redis", ...); null before it was first polled.
  CheckSample const* latest(QString const& name) const;
  bool ready() const { return ready_; }
  // When the poll whose answers are the latest was sent (ms since the epoch; 0 before the first).
  qint64 latest_poll_started_ms() const { return latest_poll_started_ms_; }
  bool shutting_down() const { return shutting_down_; }
  QStringList tools() const { return tools_; }

  // A finished poll's rows from a recording: each row's sample, and what /ready said.
  void replay_poll(std::vector<std::pair<QString, CheckSample>> const& rows, bool ready, bool shutting_down);

 public slots:
  void poll_now();

 signals:
  // A poll finished (all three answers in or timed out); rows may have been added.
  void updated();

 private:
  struct Pending;
  void get(QString const& path, std::function<void(int status, QByteArray const& body, double latency_ms,
                                                    QString const& error)> done);
  void record(QString const& name, CheckSample sample);
  void finish_if_complete();

  QNetworkAccessManager network_;
  McpProbe probe_;
  QTimer timer_;
  int timeout_ms_ = 2000;
  QUrl admin_url_;
  QUrl mcp_url_;
  std::vector<CheckHistory> checks_;
  int outstanding_ = 0;
  int probe_id_ = 0;  // the MCP probe this poll waits for
  int generation_ = 0;  // answers of an older poll or older endpoints are dropped
  bool liveness_ok_ = false;
  int consecutive_failures_ = 0;
  int polls_ = 0;  // polls finished
  qint64 poll_started_ms_ = 0;
  qint64 latest_poll_started_ms_ = 0;
  bool ready_ = false;
  bool shutting_down_ = false;
  QStringList tools_;
};

}  // namespace prodmcp::console
