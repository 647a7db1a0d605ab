#pragma once
// A bounded load generator for demos: calls the chosen tools at a set rate for a set time (both
// capped), never more than a set number in flight, and records what came back of each call, so the
// charts move while someone watches and a run can be compared with another. It talks only to the
// server the console watches, or to the prototype behind it.
#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QTimer>
#include <QUrl>
#include <functional>
#include <vector>

#include "mcp/mcp_client.hpp"

namespace prodmcp::console {

struct LoadCall {
  QString tool;
  QJsonObject arguments;
  bool anonymous = false;  // sent without the bearer token (an unauthenticated caller)
};

struct LoadPlan {
  double rate_per_second = 20;  // capped at kMaxRate
  int duration_s = 30;          // capped at kMaxDuration
  int max_in_flight = 16;
  std::vector<LoadCall> calls;  // sent round-robin
  QString bearer_token;
  int anonymous_every = 0;  // every Nth call goes without the token; 0: none

  static constexpr double kMaxRate = 500;
  static constexpr int kMaxDuration = 600;
};

enum class CallOutcome {
  kOk,         // a result
  kToolError,  // a result with isError (e.g. an injected fault)
  kError,      // a JSON-RPC error (whatever the HTTP status)
  kUnauthorized,  // 401: no valid token
  kRefused,    // another HTTP status without a JSON-RPC answer (429, 403, 503, ...)
  kFailed,     // no answer: refused connection, the server gone
  kTimedOut,   // no answer in time
};

// One call as it went: when it was sent (ms after the load started), how long until its outcome.
struct LoadSample {
  qint64 sent_ms = 0;
  double latency_ms = 0;
  CallOutcome outcome = CallOutcome::kOk;
  bool answered = false;   // false while the call is out
  bool anonymous = false;  // sent without the token
};

// How many calls ended each way.
struct OutcomeCounts {
  int ok = 0;
  int tool_errors = 0;
  int errors = 0;  // JSON-RPC errors
  int unauthorized = 0;
  int refused = 0;
  int failed = 0;
  int timed_out = 0;
  void count(CallOutcome outcome);
  int answered() const { return ok + error_count(); }
  int error_count() const { return tool_errors + errors + unauthorized + refused + failed + timed_out; }
};

struct LoadStats : OutcomeCounts {
  int sent = 0;
  int skipped = 0;  // not sent because max_in_flight calls were pending
  double total_latency_ms = 0;
};

// How one call goes out and what came of it. The load generator times it; `done` must be called
// once, never from within the send itself.
using CallSender = std::function<void(LoadCall const& call, std::function<void(CallOutcome)> done)>;

// A tools/call answer of the console's MCP clients as an outcome.
CallOutcome outcome_of(McpAnswer const& answer);

class LoadGenerator : public QObject {
  Q_OBJECT
 public:
  static constexpr int kCallTimeoutMs = 10'000;

  explicit LoadGenerator(QObject* parent = nullptr);

  // Demo traffic against the built-in tools: echo, cacheable lookups, slow work, a failing call
  // and an unknown tool (a JSON-RPC error).
  static std::vector<LoadCall> demo_mix();

  // Stateless calls to a prodmcp-server's MCP endpoint (the plan's token as bearer).
  void start(QUrl const& mcp_url, LoadPlan plan);
  // Calls sent by `sender` (e.g. straight to a prototype server).
  void start(CallSender sender, LoadPlan plan);
  void stop();
  bool running() const { return tick_.isActive(); }
  LoadStats const& stats() const { return stats_; }
  // Every call of the current (or last) run, in the order they were sent; the start, since the epoch.
  std::vector<LoadSample> const& samples() const { return samples_; }
  qint64 started_at_ms() const { return started_at_ms_; }
  int in_flight() const { return in_flight_; }

 signals:
  void progress(prodmcp::console::LoadStats const& stats);
  void finished(prodmcp::console::LoadStats const& stats);

 private:
  void send_due();
  void send_stateless(LoadCall const& call, std::function<void(CallOutcome)> done);

  McpClient client_;            // stateless calls with the plan's token...
  McpClient anonymous_client_;  // ...and without it
  QTimer tick_;
  QElapsedTimer clock_;
  CallSender sender_;
  LoadPlan plan_;
  LoadStats stats_;
  std::vector<LoadSample> samples_;
  qint64 started_at_ms_ = 0;
  int run_ = 0;  // answers of an earlier run are not counted in this one
  int in_flight_ = 0;
  int next_call_ = 0;
};

}  // namespace prodmcp::console
