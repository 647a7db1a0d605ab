#pragma once
// Everything the console watches and controls, without a window: the supervised server (or an
// attached one), its health, the fleet, the events timeline, and the wiring between them. The
// widgets only present what this holds; tests drive it directly.
#include <QObject>
#include <QUrl>
#include <memory>

#include "alerts/alert_evaluator.hpp"
#include "config_editor/config_editor.hpp"
#include "demo/comparison_run.hpp"
#include "demo/fault_client.hpp"
#include "demo/load_generator.hpp"
#include "events/event_log.hpp"
#include "fleet/fleet_monitor.hpp"
#include "health/health_model.hpp"
#include "health/health_poller.hpp"
#include "logs/log_stream_client.hpp"
#include "logs/log_table_model.hpp"
#include "mcp/call_history.hpp"
#include "mcp/mcp_client.hpp"
#include "readiness/readiness_checklist.hpp"
#include "recording/session_recording.hpp"
#include "walkthrough/walkthrough.hpp"
#include "metrics/chart_catalog.hpp"
#include "metrics/metrics_scraper.hpp"
#include "metrics/series_store.hpp"
#include "supervision/server_supervisor.hpp"
#include "trace/trace_model.hpp"
#include "upstreams/upstream_monitor.hpp"

namespace prodmcp::console {

struct ConsoleOptions {
  ServerLaunchOptions launch;
  RestartOptions restart;
  bool autostart = true;
  // Attach mode: watch a running server by URL, with no process control.
  QUrl attach_admin_url;
  QUrl attach_mcp_url;
  QString bearer_token;  // for the MCP probe of servers with auth
  // Replay mode: play a recording (no server at all) at this speed.
  QString replay_file;
  double replay_speed = 1;
  int health_interval_ms = 2000;
  int scrape_interval_ms = 1000;
  int fleet_interval_ms = 30'000;
  bool attached() const { return !attach_admin_url.isEmpty(); }
  bool replaying() const { return !replay_file.isEmpty(); }
};

class ConsoleSession : public QObject {
  Q_OBJECT
 public:
  static inline QString const kSupervisedName = QStringLiteral("local");

  explicit ConsoleSession(ConsoleOptions options, QObject* parent = nullptr);
  ~ConsoleSession() override;

  ConsoleOptions const& options() const { return options_; }
  // Null in attach mode.
  ServerSupervisor* supervisor() { return supervisor_.get(); }
  HealthPoller& health() { return health_; }
  HealthModel& health_model() { return health_model_; }
  FleetMonitor& fleet() { return fleet_; }
  UpstreamMonitor& upstreams() { return upstreams_; }
  TraceModel& trace() { return trace_; }
  EventLog& events() { return events_; }
  metrics::SeriesStore const& store() const { return store_; }
  MetricsScraper& scraper() { return scraper_; }
  AlertEvaluator& alerts() { return alerts_; }
  LogStreamClient& log_stream() { return log_stream_; }
  logs::LogTableModel& log_model() { return log_model_; }
  McpClient& mcp_client() { return mcp_client_; }
  CallHistory& call_history() { return call_history_; }
  MessageLog& messages() { return messages_; }
  LoadGenerator& load() { return load_; }
  ComparisonRun& comparison() { return comparison_; }
  FaultClient& faults() { return faults_; }
  ConfigEditor& config_editor() { return *config_editor_; }
  ReadinessChecklist& readiness() { return *readiness_; }
  Walkthrough& walkthrough() { return *walkthrough_; }
  SessionRecorder& recorder() { return recorder_; }
  SessionReplayer& replayer() { return replayer_; }
  // The moment the pages show: the wall clock, or the replayed moment of a recording.
  qint64 now_ms() const;
  // A chart's lines over the `window` ending at `end_ms`, from the scraped series.
  QList<ChartLine> chart_lines(ChartSpec const& spec, std::chrono::seconds window, qint64 end_ms) const;
  // The config file and profile for the next start of the supervised server (noted in the events).
  void set_launch_options(ServerLaunchOptions options);
  // The token the console's own clients (probe, tool explorer, load) send from now on.
  void set_bearer_token(QString token);
  QUrl admin_url() const { return admin_url_; }
  QUrl mcp_url() const { return mcp_url_; }

 public slots:
  // Autostart (unless disabled) or begin watching the attached server.
  void begin();

 signals:
  void endpoints_changed(QUrl const& admin_url, QUrl const& mcp_url);
  // The server's log lines: from the supervised process's output, or the attached server's /logs.
  void log_lines(QList<QByteArray> const& lines);

 private:
  void watch(QUrl const& admin_url, QUrl const& mcp_url);
  void record_process_event(QString const& source, QString const& kind, QString const& message);
  void record_health_changes();
  void record_alert_change(AlertStatus const& status, AlertState from);
  void record_upstream_changes();
  void record_config_reloads(QList<QByteArray> const& lines);

  ConsoleOptions options_;
  EventLog events_;
  HealthPoller health_;
  HealthModel health_model_{health_};
  FleetMonitor fleet_;
  metrics::SeriesStore store_;
  MetricsScraper scraper_{store_};
  UpstreamMonitor upstreams_{store_};
  TraceModel trace_;
  AlertEvaluator alerts_;
  QTimer alert_timer_;
  LogStreamClient log_stream_;
  logs::LogTableModel log_model_;
  MessageLog messages_;  // before the client that writes into it
  McpClient mcp_client_;
  CallHistory call_history_;
  LoadGenerator load_;
  ComparisonRun comparison_{store_, upstreams_, trace_, events_};
  FaultClient faults_;
  SessionRecorder recorder_{*this};
  SessionReplayer replayer_{*this};
  std::unique_ptr<ServerSupervisor> supervisor_;
  std::unique_ptr<ConfigEditor> config_editor_;  // made last: it watches the supervisor and the health poller
  std::unique_ptr<ReadinessChecklist> readiness_;   // reads all of the above
  std::unique_ptr<Walkthrough> walkthrough_;
  QUrl admin_url_;
  QUrl mcp_url_;
  bool was_live_ = false;
  bool was_ready_ = false;
  bool was_serving_mcp_ = false;
};

}  // namespace prodmcp::console
