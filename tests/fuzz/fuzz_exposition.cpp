// A scraped /metrics body (a hostile server's too): the exposition parser, then the series store
// that keeps what it parsed.
#include "fuzz_target.hpp"
#include "metrics/exposition_parser.hpp"
#include "metrics/series_store.hpp"

PRODMCP_FUZZ_TARGET(exposition) {
  using namespace prodmcp::console::metrics;
  auto const parsed = parse_exposition(prodmcp::fuzz::as_text(data, size));
  if (parsed.errors.size() > 20) __builtin_trap();  // max_errors
  SeriesStoreOptions options;
  options.max_series = 200;
  SeriesStore store(options);
  store.append_scrape(parsed, 1'000);
  store.append_scrape(parsed, 2'000);
  if (store.series_count() > 200 + 1) __builtin_trap();  // the cap, plus `up`
  return 0;
}
