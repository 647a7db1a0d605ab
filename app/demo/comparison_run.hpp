#pragma once
// Before and after: the same bounded load sent to the user's prototype directly (the console starts
// it, or opens a session with it, as a plain MCP host does) and then through the gateway in front
// of it, with an optional fault halfway through each side: the prototype killed. Each side's calls
// are kept for RED figures, and what the gateway did meanwhile is read from its metrics and trace:
// 429s, cache hits, retries, calls its breaker failed fast, restarts. Each step goes on the events
// timeline, beside the upstream's own state changes.
#include <QJsonArray>
#include <QObject>
#include <QTimer>
#include <QUrl>
#include <functional>
#include <vector>

#include "demo/load_generator.hpp"
#include "events/event_log.hpp"
#include "mcp/direct_client.hpp"
#include "metrics/series_store.hpp"
#include "trace/trace_model.hpp"
#include "upstreams/upstream_monitor.hpp"

namespace prodmcp::console {

struct ComparisonPlan {
  QString upstream;     // its name at the gateway
  DirectTarget direct;  // how to reach it without the gateway
  QString prefix;       // the gateway's prefix for its tools
  QUrl gateway_url;
  QString bearer_token;
  LoadPlan load;              // each side's load; calls by the prototype's own tool names
  bool kill_halfway = false;  // SIGKILL the prototype halfway through each side (a local process only)
};

struct ComparisonSide {
  std::vector<LoadSample> samples;
  qint64 started_ms = 0;  // since the epoch
  int duration_s = 0;
  QString fault;  // what was done halfway and what came of it; empty without
  bool ran() const { return started_ms > 0; }
};

// Counted over the gateway's side, from its own metrics and trace.
struct GatewayEffects {
  double rate_limited = 0;           // 429s
  double cache_hits = 0;
  double retries = 0;                // upstream attempts after a call's first
  double breaker_fast_failures = 0;  // calls the open breaker answered at once
  double restarts = 0;               // of the upstream's child
  bool breaker_opened = false;
  bool known = false;  // false until the gateway's side has ended
};

class ComparisonRun : public QObject {
  Q_OBJECT
 public:
  enum class Step { kIdle, kOpening, kDirect, kGateway, kSettling };
  // After the gateway's side, how long to wait for the scrapes that hold its end.
  static constexpr int kSettleMs = 2500;

  ComparisonRun(metrics::SeriesStore const& store, UpstreamMonitor& upstreams, TraceModel const& trace,
                EventLog& events, QObject* parent = nullptr);

  void start(ComparisonPlan plan);
  // Ends the run now; what was measured so far stays.
  void stop();
  // The prototype's tools as it lists them itself (started, listed, closed); not while running.
  void list_prototype_tools(DirectTarget const& target, std::function<void(QJsonArray tools, QString problem)> done);

  bool running() const { return step_ != Step::kIdle; }
  Step step() const { return step_; }
  ComparisonPlan const& plan() const { return plan_; }
  ComparisonSide const& direct() const { return direct_side_; }
  ComparisonSide const& gateway() const { return gateway_side_; }
  GatewayEffects const& effects() const { return effects_; }
  LoadGenerator const& load() const { return load_; }  // the side now running
  QString const& problem() const { return problem_; }

 signals:
  void progress();                       // a step began, a call was answered
  void finished(QString const& problem);  // empty when both sides ran to their end

 private:
  void start_direct();
  void start_gateway();
  void side_ended();
  void settle();
  void finish(QString problem);
  void kill_prototype();
  double counter(QString const& expr, qint64 time_ms) const;
  void keep_samples();

  metrics::SeriesStore const& store_;
  UpstreamMonitor& upstreams_;
  TraceModel const& trace_;
  EventLog& events_;
  DirectMcpClient client_;
  LoadGenerator load_;
  QTimer halfway_;
  QTimer drain_;  // polls until the side's last calls are answered (or timed out)
  ComparisonPlan plan_;
  Step step_ = Step::kIdle;
  bool stopping_ = false;
  qint64 drain_deadline_ms_ = 0;
  ComparisonSide direct_side_, gateway_side_;
  GatewayEffects effects_;
  std::vector<double> counters_at_start_;
  QString problem_;
};

}  // namespace prodmcp::console
