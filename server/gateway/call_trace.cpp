#include "gateway/call_trace.hpp"

#include <boost/json/object.hpp>
#include <cmath>

namespace prodmcp::gateway {

namespace {

double ms_since(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// Milliseconds with 3 decimals: microseconds are what a local round trip is made of.
double rounded(double ms) { return std::round(ms * 1000) / 1000; }

json::object to_json(std::uint64_t sequence, TracedCall const& call) {
  json::array legs;
  double upstream_ms = 0;
  for (auto const& leg : call.legs) {
    upstream_ms += leg.duration_ms;
    legs.push_back(json::object{{"upstream_id", leg.upstream_id},
                                {"sent_after_ms", rounded(leg.sent_after_ms)},
                                {"duration_ms", rounded(leg.duration_ms)},
                                {"outcome", leg.outcome}});
  }
  json::object object{{"seq", sequence},
                      {"at_unix_ms", call.at_unix_ms},
                      {"correlation_id", call.correlation_id},
                      {"session", call.session},
                      {"client_id", call.client_id},
                      {"method", call.method},
                      {"name", call.name},
                      {"upstream", call.upstream},
                      {"total_ms", rounded(call.total_ms)},
                      {"upstream_ms", rounded(upstream_ms)},
                      {"gateway_ms", rounded(std::max(0.0, call.total_ms - upstream_ms))},
                      {"legs", std::move(legs)},
                      {"outcome", call.outcome}};
  if (!call.error.empty()) object["error"] = call.error;
  return object;
}

}  // namespace

void UpstreamLegs::begin() {
  std::lock_guard lock(mutex_);
  leg_started_ = std::chrono::steady_clock::now();
  legs_.push_back(Leg{0, ms_since(started_, leg_started_), 0, "refused"});
}

void UpstreamLegs::sent(std::int64_t upstream_id) {
  std::lock_guard lock(mutex_);
  if (!legs_.empty()) legs_.back().upstream_id = upstream_id;
}

void UpstreamLegs::end(std::string_view outcome) {
  std::lock_guard lock(mutex_);
  if (legs_.empty()) return;
  legs_.back().duration_ms = ms_since(leg_started_, std::chrono::steady_clock::now());
  legs_.back().outcome = outcome;
}

std::vector<UpstreamLegs::Leg> UpstreamLegs::legs() const {
  std::lock_guard lock(mutex_);
  return legs_;
}

void CallTrace::record(TracedCall call) {
  std::lock_guard lock(mutex_);
  calls_.emplace_back(next_sequence_++, std::move(call));
  while (calls_.size() > capacity_) calls_.pop_front();
}

CallTrace::Page CallTrace::since(std::uint64_t after, std::size_t limit) const {
  Page page;
  std::lock_guard lock(mutex_);
  if (after >= next_sequence_) after = 0;  // a cursor from before a restart: start again
  page.next = after;
  if (!calls_.empty() && calls_.front().first > after + 1) page.skipped = calls_.front().first - after - 1;
  for (auto const& [sequence, call] : calls_) {
    if (sequence <= after) continue;
    if (page.calls.size() == limit) break;
    page.calls.push_back(to_json(sequence, call));
    page.next = sequence;
  }
  return page;
}

}  // namespace prodmcp::gateway
