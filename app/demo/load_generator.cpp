#include "demo/load_generator.hpp"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <algorithm>

#include "mcp/mcp_client.hpp"
#include "mcp/stateless_request.hpp"

namespace prodmcp::console {

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

void LoadGenerator::start(QUrl const& mcp_url, LoadPlan plan) {
  stop();
  plan.rate_per_second = std::clamp(plan.rate_per_second, 0.1, LoadPlan::kMaxRate);
  plan.duration_s = std::clamp(plan.duration_s, 1, LoadPlan::kMaxDuration);
  plan.max_in_flight = std::clamp(plan.max_in_flight, 1, 256);
  if (plan.calls.empty()) plan.calls = demo_mix();
  url_ = mcp_url;
  plan_ = std::move(plan);
  stats_ = {};
  next_call_ = 0;
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
  for (int i = 0; i < due; ++i) {
    if (in_flight_ >= plan_.max_in_flight) {
      ++stats_.skipped;
      continue;
    }
    auto const& call = plan_.calls[std::size_t(next_call_++) % plan_.calls.size()];
    auto [http, body] = stateless_request(url_, next_id_++, QStringLiteral("tools/call"),
                                          QJsonObject{{"name", call.tool}, {"arguments", call.arguments}}, call.tool,
                                          plan_.bearer_token, 10'000);
    ++in_flight_;
    ++stats_.sent;
    QElapsedTimer timer;
    timer.start();
    QNetworkReply* reply = network_.post(http, body);
    connect(reply, &QNetworkReply::finished, this, [this, reply, timer] {
      reply->deleteLater();
      --in_flight_;
      stats_.total_latency_ms += double(timer.nsecsElapsed()) / 1e6;
      int const status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
      auto const answer =
          json_rpc_response(reply->readAll(), reply->header(QNetworkRequest::ContentTypeHeader).toByteArray());
      // The stateless revision maps some JSON-RPC errors to HTTP statuses (-32602 is a 400).
      if (answer.contains("error") && status != 429) ++stats_.errors;
      else if (status == 200 && answer.value("result").toObject().value("isError").toBool()) ++stats_.tool_errors;
      else if (status == 200 && answer.contains("result")) ++stats_.ok;
      else ++stats_.http_failures;
      emit progress(stats_);
    });
  }
}

}  // namespace prodmcp::console
