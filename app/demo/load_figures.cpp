#include "demo/load_figures.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace prodmcp::console {

namespace {

constexpr double kNone = std::numeric_limits<double>::quiet_NaN();

bool answered_by_server(CallOutcome outcome) {
  return outcome == CallOutcome::kOk || outcome == CallOutcome::kToolError || outcome == CallOutcome::kError;
}

}  // namespace

double quantile(std::vector<double>& values, double q) {
  if (values.empty()) return kNone;
  std::sort(values.begin(), values.end());
  auto const rank = std::size_t(std::ceil(std::clamp(q, 0.0, 1.0) * double(values.size())));
  return values[std::max<std::size_t>(rank, 1) - 1];
}

std::vector<LoadSecond> per_second(std::vector<LoadSample> const& samples, int duration_s) {
  // Answers come in up to a call timeout after the last send: those seconds are shown too.
  int seconds = std::max(duration_s, 1);
  for (auto const& sample : samples)
    if (sample.answered) seconds = std::max(seconds, int((double(sample.sent_ms) + sample.latency_ms) / 1000.0) + 1);
  std::vector<LoadSecond> result(std::size_t(seconds), LoadSecond{0, 0, kNone, kNone, kNone});
  std::vector<std::vector<double>> latencies(result.size());
  for (auto const& sample : samples) {
    if (!sample.answered) continue;
    auto const second = std::size_t((double(sample.sent_ms) + sample.latency_ms) / 1000.0);
    if (sample.outcome == CallOutcome::kOk) result[second].ok_per_second += 1;
    else result[second].errors_per_second += 1;
    if (answered_by_server(sample.outcome)) latencies[second].push_back(sample.latency_ms);
  }
  for (std::size_t i = 0; i < result.size(); ++i) {
    result[i].p50_ms = quantile(latencies[i], 0.5);
    result[i].p95_ms = quantile(latencies[i], 0.95);
    result[i].p99_ms = quantile(latencies[i], 0.99);
  }
  return result;
}

LoadSummary summarize(std::vector<LoadSample> const& samples, int duration_s) {
  LoadSummary summary{};
  summary.p50_ms = summary.p95_ms = summary.p99_ms = summary.max_ms = kNone;
  std::vector<double> latencies;
  for (auto const& sample : samples) {
    ++summary.sent;
    summary.anonymous += sample.anonymous;
    if (!sample.answered) {
      ++summary.unanswered;
      continue;
    }
    summary.count(sample.outcome);
    if (answered_by_server(sample.outcome)) {
      latencies.push_back(sample.latency_ms);
      summary.anonymous_served += sample.anonymous;
    }
  }
  summary.ok_per_second = double(summary.ok) / std::max(duration_s, 1);
  summary.p50_ms = quantile(latencies, 0.5);
  summary.p95_ms = quantile(latencies, 0.95);
  summary.p99_ms = quantile(latencies, 0.99);
  if (!latencies.empty()) summary.max_ms = latencies.back();
  return summary;
}

}  // namespace prodmcp::console
