#pragma once
// Time series of ONE watched server, fed by its scrapes, read by charts and alert rules.
//
// Two tiers per series: a raw ring (every scraped sample of the last `raw_window_ms`) and a
// downsampled ring (one point per `downsample_resolution_ms` bucket for `downsample_window_ms`).
// Reads return raw points where the raw ring still covers the time asked for and downsampled
// points before it, so short and long chart windows are served by the same call.
//
// Downsampling keeps Prometheus semantics usable on the coarse tier:
// - gauges keep the bucket's average, stamped at the bucket's last sample time;
// - counters keep the bucket's last value, stamped at its real time. A counter reset inside a
//   bucket would vanish from "last value per bucket" (0 -> climbs above the old value), so on a
//   reset the bucket is closed with the pre-reset value and the first post-reset sample is kept as a
//   point of its own. rate()/increase() over the coarse tier then see every reset, and because
//   the reset correction only needs the value before and after each reset, the increase they
//   compute over a window equals the increase over the raw samples between the same two points;
//   only the extrapolation differs, from the coarser first/last timestamps;
// - staleness markers are kept in both tiers.
//
// Staleness as Prometheus: a series that was in the previous scrape and is not in this one (or
// the scrape failed) gets a staleness marker (a NaN with a reserved bit pattern) at the scrape
// time, so instant queries stop returning it at once instead of for the 5-minute lookback.
// Samples that carry their own timestamp are stored at that time and get no staleness markers
// (Prometheus exempts them too).
//
// Thread safety: one writer (the scrape worker) and any number of readers. A Reader holds a shared
// lock for its lifetime; series ids are only meaningful while one Reader is held, because the ids
// of series that were removed (no sample for the whole downsampled window) are reused.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string_view>
#include <vector>

#include "metrics/exposition_parser.hpp"

namespace prodmcp::console::metrics {

struct Point {
  int64_t t_ms = 0;
  double value = 0;
};

// Prometheus's staleness marker value (model/value.StaleNaN); any other NaN is an ordinary value.
// Inline: queries test every sample they read.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;
inline double stale_nan() {
  return std::bit_cast<double>(kStaleNaNBits);
}
inline bool is_stale_nan(double value) {
  return std::bit_cast<uint64_t>(value) == kStaleNaNBits;
}

// How a series is downsampled: counters keep the last value (reset-aware), gauges the average.
enum class SeriesKind : uint8_t { kCounter, kGauge };

// Counters: counter families, histogram _bucket/_sum/_count, summary _sum/_count. The rest: gauges.
SeriesKind series_kind(MetricFamily const& family, Sample const& sample);

struct SeriesStoreOptions {
  std::size_t max_series = 20'000;  // new series past this are dropped (and counted)
  int64_t raw_window_ms = 15 * 60'000;
  std::size_t max_raw_points = 900;  // per series: bounds the raw ring when scrapes come faster than 1/s
  int64_t downsample_resolution_ms = 10'000;
  int64_t downsample_window_ms = 6 * 3'600'000;
  // The labels of the synthetic `up` series, as Prometheus gives it the target's job, so rules
  // written for Prometheus (up{job="prodmcp"} == 0) select it here too. Sorted by name.
  std::vector<Label> up_labels{{"job", "prodmcp"}};
};

using SeriesId = uint32_t;

struct LabelView {
  std::string_view name;
  std::string_view value;
};

class SeriesStore {
 public:
  explicit SeriesStore(SeriesStoreOptions options = {});
  ~SeriesStore();
  SeriesStore(SeriesStore const&) = delete;
  SeriesStore& operator=(SeriesStore const&) = delete;

  // Appends every sample of a scrape taken at `t_ms`, records up = 1, and marks the series that
  // were in the previous scrape but not in this one as stale.
  void append_scrape(ParseResult const& scrape, int64_t t_ms);
  // The scrape failed: up = 0, and every series of the previous scrape is marked stale.
  void append_failed_scrape(int64_t t_ms);

  std::size_t series_count() const;
  std::size_t memory_bytes() const;  // approximate: rings, keys, interned strings, indexes
  // Samples of new series refused because max_series was reached, summed over all scrapes.
  uint64_t dropped_series() const;
  // Samples not newer than the series' last sample (duplicates in one scrape, clock going back).
  uint64_t out_of_order_samples() const;
  SeriesStoreOptions const& options() const { return options_; }

 private:
  struct State;

 public:
  class Reader {
   public:
    // The series whose metric name is `name`.
    std::span<SeriesId const> series_named(std::string_view name) const;
    std::vector<SeriesId> all_series() const;
    std::string_view metric_name(SeriesId id) const;
    // Labels other than the metric name, sorted by name; replaces the content of `out`.
    void labels(SeriesId id, std::vector<LabelView>& out) const;
    SeriesKind kind(SeriesId id) const;
    // Appends the points with after_ms < t <= until_ms, oldest first, staleness markers included.
    void points(SeriesId id, int64_t after_ms, int64_t until_ms, std::vector<Point>& out) const;
    // The newest point with after_ms < t <= until_ms (it may be a staleness marker).
    std::optional<Point> latest(SeriesId id, int64_t after_ms, int64_t until_ms) const;

   private:
    friend class SeriesStore;
    Reader(State const& state, std::shared_mutex& mutex) : state_(&state), lock_(mutex) {}
    State const* state_;
    std::shared_lock<std::shared_mutex> lock_;
  };

  Reader read() const;

 private:
  SeriesStoreOptions options_;
  mutable std::shared_mutex mutex_;
  std::unique_ptr<State> state_;
};

}  // namespace prodmcp::console::metrics
