#include "demo/load_generator.hpp"

#include <QDateTime>
#include <QJsonObject>
#include <algorithm>

namespace prodmcp::console {

namespace {
constexpr qint64 kMaxReplyBytes = qint64{4} << 20;  // a tool answer of the load; more is a broken server
}  // namespace

LoadGenerator::LoadGenerator(QObject* parent) : QObject(parent) {
  tick_.setInterval(20);
  connect(&tick_, &QTimer::timeout, this, &LoadGenerator::send_due);
}

std::vector<LoadCall> LoadGenerator::demo_mix() {
  return {
      {"echo", QJsonObject{{"message", "hello"}}},
      {"http_status_lookup", QJsonObject{{"code", 503}}},
      {"echo", QJsonObject{{"message", "production"}}},
      {"simulate_workload", QJsonObject{{"duration_ms", 120}, {"steps", 2}, {"failure_rate", 0.2}}},
      {"http_status_lookup", QJsonObject{{"code", 429}}},
      {"echo", QJsonObject{{"message", "ready"}}},
      {"simulate_workload", QJsonObject{{"duration_ms", 40}, {"steps", 1}}},
      {"no_such_tool", QJsonObject{}},
  };
}

void OutcomeCounts::count(CallOutcome outcome) {
  switch (outcome) {
    case CallOutcome::kOk: ++ok; break;
    case CallOutcome::kToolError: ++tool_errors; break;
    case CallOutcome::kError: ++errors; break;
    case CallOutcome::kUnauthorized: ++unauthorized; break;
    case CallOutcome::kRefused: ++refused; break;
    case CallOutcome::kFailed: ++failed; break;
    case CallOutcome::kTimedOut: ++timed_out; break;
  }
}

CallOutcome outcome_of(McpAnswer const& answer) {
  if (answer.ok)
    return answer.result.value("isError").toBool() ? CallOutcome::kToolError : CallOutcome::kOk;
  // A refusal may carry a JSON-RPC error body; it is still a refusal, not the tool's error.
  if (answer.http_status == 401) return CallOutcome::kUnauthorized;
  if (answer.http_status == 429 || answer.http_status == 403) return CallOutcome::kRefused;
  if (!answer.error.isEmpty()) return CallOutcome::kError;
  if (answer.timed_out) return CallOutcome::kTimedOut;
  return answer.http_status ? CallOutcome::kRefused : CallOutcome::kFailed;
}

void LoadGenerator::start(QUrl const& mcp_url, LoadPlan plan) {
  for (auto* client : {&client_, &anonymous_client_}) {
    client->set_url(mcp_url);
    client->set_timeout_ms(kCallTimeoutMs);
    client->set_max_reply_bytes(kMaxReplyBytes);
  }
  client_.set_bearer_token(plan.bearer_token);
  start([this](LoadCall const& call, std::function<void(CallOutcome)> done) { send_stateless(call, std::move(done)); },
        std::move(plan));
}

void LoadGenerator::start(CallSender sender, LoadPlan plan) {
  stop();
  plan.rate_per_second = std::clamp(plan.rate_per_second, 0.1, LoadPlan::kMaxRate);
  plan.duration_s = std::clamp(plan.duration_s, 1, LoadPlan::kMaxDuration);
  plan.max_in_flight = std::clamp(plan.max_in_flight, 1, 256);
  if (plan.calls.empty()) plan.calls = demo_mix();
  sender_ = std::move(sender);
  plan_ = std::move(plan);
  stats_ = {};
  samples_.clear();
  samples_.reserve(std::size_t(plan_.rate_per_second * plan_.duration_s) + 1);
  ++run_;
  next_call_ = 0;
  started_at_ms_ = QDateTime::currentMSecsSinceEpoch();
  clock_.start();
  tick_.start();
}

void LoadGenerator::stop() {
  if (!tick_.isActive()) return;
  tick_.stop();
  emit finished(stats_);
}

// Sends as many calls as the rate says are due by now (so a late timer catches up, not drifts).
void LoadGenerator::send_due() {
  double const elapsed_s = double(clock_.elapsed()) / 1000.0;
  if (elapsed_s >= plan_.duration_s) return stop();
  int const due = int(elapsed_s * plan_.rate_per_second) + 1 - stats_.sent - stats_.skipped;
  for (int i = 0; i < due && tick_.isActive(); ++i) {
    if (in_flight_ >= plan_.max_in_flight) {
      ++stats_.skipped;
      continue;
    }
    LoadCall call = plan_.calls[std::size_t(next_call_++) % plan_.calls.size()];
    call.anonymous = plan_.anonymous_every > 0 && stats_.sent % plan_.anonymous_every == plan_.anonymous_every - 1;
    ++in_flight_;
    ++stats_.sent;
    auto const sample = samples_.size();
    samples_.push_back({clock_.elapsed(), 0, CallOutcome::kOk, false, call.anonymous});
    QElapsedTimer timer;
    timer.start();
    sender_(call, [this, timer, sample, run = run_](CallOutcome outcome) {
      --in_flight_;
      if (run != run_) return;
      double const latency_ms = double(timer.nsecsElapsed()) / 1e6;
      samples_[sample].latency_ms = latency_ms;
      samples_[sample].outcome = outcome;
      samples_[sample].answered = true;
      stats_.total_latency_ms += latency_ms;
      stats_.count(outcome);
      emit progress(stats_);
    });
  }
}

void LoadGenerator::send_stateless(LoadCall const& call, std::function<void(CallOutcome)> done) {
  (call.anonymous ? anonymous_client_ : client_)
      .call_tool(call.tool, call.arguments, [done = std::move(done)](McpAnswer const& answer) { done(outcome_of(answer)); });
}

}  // namespace prodmcp::console
