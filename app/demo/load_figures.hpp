#pragma once
// A load run's calls as RED figures: per second (calls answered, errors, latency percentiles) for
// the charts, and over the whole run for the table. Latency is measured where the caller sits
// and counts the calls the server answered (a result or a JSON-RPC error); refusals, failures and
// timeouts are errors, not fast answers.
#include <QString>
#include <vector>

#include "demo/load_generator.hpp"

namespace prodmcp::console {

struct LoadSecond {
  double ok_per_second = 0;      // calls answered with a result that is not isError
  double errors_per_second = 0;  // every other outcome
  // Of the calls answered in this second; none when no call was answered (NaN).
  double p50_ms, p95_ms, p99_ms;
};

struct LoadSummary : OutcomeCounts {
  int sent = 0;
  int unanswered = 0;        // still out when the figures were taken
  int anonymous = 0;         // calls sent without the token...
  int anonymous_served = 0;  // ...that were answered anyway (a result or a JSON-RPC error)
  double ok_per_second = 0;  // over the run's duration
  double p50_ms, p95_ms, p99_ms, max_ms;  // NaN without answered calls
};

// `samples` of a run that lasted `duration_s`, bucketed by the second their answer came in.
std::vector<LoadSecond> per_second(std::vector<LoadSample> const& samples, int duration_s);
LoadSummary summarize(std::vector<LoadSample> const& samples, int duration_s);
// The q-quantile (0..1) by nearest rank; NaN for no values. Sorts `values`.
double quantile(std::vector<double>& values, double q);

}  // namespace prodmcp::console
