#pragma once
// A bounded load generator for demos: calls the chosen tools at a set rate for a set time (both
// capped), never more than a set number in flight, and counts what came back, so the charts move
// while someone watches. It only talks to the server the console watches.
#include <QElapsedTimer>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QObject>
#include <QTimer>
#include <QUrl>
#include <vector>

namespace prodmcp::console {

struct LoadCall {
  QString tool;
  QJsonObject arguments;
};

struct LoadPlan {
  double rate_per_second = 20;  // capped at kMaxRate
  int duration_s = 30;          // capped at kMaxDuration
  int max_in_flight = 16;
  std::vector<LoadCall> calls;  // sent round-robin
  QString bearer_token;

  static constexpr double kMaxRate = 500;
  static constexpr int kMaxDuration = 600;
};

struct LoadStats {
  int sent = 0;
  int ok = 0;             // a result
  int tool_errors = 0;    // a result with isError (e.g. an injected fault)
  int errors = 0;         // JSON-RPC errors (whatever the HTTP status)
  int http_failures = 0;  // refused (e.g. 429) or no answer
  int skipped = 0;        // not sent because max_in_flight calls were pending
  double total_latency_ms = 0;
};

class LoadGenerator : public QObject {
  Q_OBJECT
 public:
  explicit LoadGenerator(QObject* parent = nullptr);

  // Demo traffic against the built-in tools: echo, cacheable lookups, slow work, a failing call
  // and an unknown tool (a JSON-RPC error).
  static std::vector<LoadCall> demo_mix();

  void start(QUrl const& mcp_url, LoadPlan plan);
  void stop();
  bool running() const { return tick_.isActive(); }
  LoadStats const& stats() const { return stats_; }

 signals:
  void progress(prodmcp::console::LoadStats const& stats);
  void finished(prodmcp::console::LoadStats const& stats);

 private:
  void send_due();

  QNetworkAccessManager network_;
  QTimer tick_;
  QElapsedTimer clock_;
  QUrl url_;
  LoadPlan plan_;
  LoadStats stats_;
  int in_flight_ = 0;
  int next_call_ = 0;
  int next_id_ = 1;
};

}  // namespace prodmcp::console
