// A PromQL query (a chart's, an alert rule's, or one typed by hand), parsed and evaluated over a
// small store, instant and range.
#include "fuzz_target.hpp"
#include "metrics/exposition_parser.hpp"
#include "metrics/promql.hpp"
#include "metrics/series_store.hpp"

PRODMCP_FUZZ_TARGET(promql) {
  using namespace prodmcp::console::metrics;
  static SeriesStore* const store = [] {
    auto* made = new SeriesStore();
    for (int i = 0; i < 5; ++i) {
      std::string const text =
          "# TYPE mcp_requests_total counter\n"
          "mcp_requests_total{method=\"ping\",status=\"ok\"} " + std::to_string(10 * i) + "\n"
          "mcp_requests_total{method=\"tools/call\",status=\"error\"} " + std::to_string(i) + "\n"
          "# TYPE mcp_request_duration_seconds histogram\n"
          "mcp_request_duration_seconds_bucket{le=\"0.1\"} " + std::to_string(i) + "\n"
          "mcp_request_duration_seconds_bucket{le=\"+Inf\"} " + std::to_string(2 * i) + "\n"
          "mcp_request_duration_seconds_sum 1\nmcp_request_duration_seconds_count " + std::to_string(2 * i) + "\n";
      made->append_scrape(parse_exposition(text), 1'000 * (i + 1));
    }
    return made;
  }();
  auto const parsed = parse_promql(prodmcp::fuzz::as_text(data, size));
  if (!parsed.ok()) return 0;
  (void)evaluate_instant(*store, *parsed.expr, 5'000);
  (void)evaluate_range(*store, *parsed.expr, 1'000, 5'000, 1'000);
  return 0;
}
