#include "metrics/series_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <string>
#include <thread>

using prodmcp::console::metrics::is_stale_nan;
using prodmcp::console::metrics::LabelView;
using prodmcp::console::metrics::parse_exposition;
using prodmcp::console::metrics::Point;
using prodmcp::console::metrics::SeriesId;
using prodmcp::console::metrics::SeriesKind;
using prodmcp::console::metrics::SeriesStore;
using prodmcp::console::metrics::SeriesStoreOptions;
using prodmcp::console::metrics::stale_nan;

namespace {

void scrape(SeriesStore& store, std::string const& text, int64_t t_ms) {
  auto parsed = parse_exposition(text);
  ASSERT_TRUE(parsed.ok()) << parsed.errors.front().to_string();
  store.append_scrape(parsed, t_ms);
}

// The single series named `name` (the tests use one series per name unless they say otherwise).
SeriesId only(SeriesStore::Reader const& reader, std::string_view name) {
  auto ids = reader.series_named(name);
  EXPECT_EQ(ids.size(), 1u) << name;
  return ids.empty() ? SeriesId{0} : ids[0];
}

std::vector<Point> all_points(SeriesStore const& store, std::string_view name) {
  auto reader = store.read();
  std::vector<Point> out;
  reader.points(only(reader, name), std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
                out);
  return out;
}

// Increase of a counter over the given points with Prometheus's reset rule (no extrapolation).
double reset_corrected_increase(std::vector<Point> const& points) {
  double result = points.back().value - points.front().value;
  for (std::size_t i = 1; i < points.size(); ++i) {
    if (points[i].value < points[i - 1].value) result += points[i - 1].value;
  }
  return result;
}

}  // namespace

TEST(SeriesStore, StaleNaNIsDistinctFromNaN) {
  EXPECT_TRUE(std::isnan(stale_nan()));
  EXPECT_TRUE(is_stale_nan(stale_nan()));
  EXPECT_FALSE(is_stale_nan(std::numeric_limits<double>::quiet_NaN()));
  EXPECT_FALSE(is_stale_nan(1.0));
}

TEST(SeriesStore, AppendsSamplesAndUp) {
  SeriesStore store;
  scrape(
      store,
      "# TYPE req counter\nreq{code=\"200\",method=\"GET\"} 5\nreq{code=\"500\",method=\"GET\"} 1\ng 2.5\n",
      1000);
  EXPECT_EQ(store.series_count(), 4u);  // two req, g, up
  auto reader = store.read();
  auto req = reader.series_named("req");
  ASSERT_EQ(req.size(), 2u);
  std::vector<LabelView> labels;
  reader.labels(req[0], labels);
  ASSERT_EQ(labels.size(), 2u);
  EXPECT_EQ(labels[0].name, "code");
  EXPECT_EQ(labels[0].value, "200");
  EXPECT_EQ(labels[1].name, "method");
  EXPECT_EQ(reader.metric_name(req[0]), "req");
  EXPECT_EQ(reader.kind(req[0]), SeriesKind::kCounter);
  EXPECT_EQ(reader.kind(only(reader, "g")), SeriesKind::kGauge);
  auto up = reader.latest(only(reader, "up"), 0, 1000);
  ASSERT_TRUE(up);
  EXPECT_EQ(up->value, 1);
  EXPECT_EQ(reader.latest(only(reader, "g"), 999, 1000)->value, 2.5);
  EXPECT_FALSE(reader.latest(only(reader, "g"), 1000, 2000));  // (after, until]: 1000 is excluded
  EXPECT_TRUE(reader.series_named("missing").empty());
  EXPECT_EQ(reader.all_series().size(), 4u);
}

TEST(SeriesStore, SeriesKindsFollowTheFamilyType) {
  SeriesStore store;
  scrape(store,
         "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 2\nh_count 1\n"
         "# TYPE s summary\ns{quantile=\"0.5\"} 1\ns_sum 3\ns_count 4\nu 1\n",
         1000);
  auto reader = store.read();
  EXPECT_EQ(reader.kind(only(reader, "h_bucket")), SeriesKind::kCounter);
  EXPECT_EQ(reader.kind(only(reader, "h_sum")), SeriesKind::kCounter);
  EXPECT_EQ(reader.kind(only(reader, "s")), SeriesKind::kGauge);
  EXPECT_EQ(reader.kind(only(reader, "s_count")), SeriesKind::kCounter);
  EXPECT_EQ(reader.kind(only(reader, "u")), SeriesKind::kGauge);
}

TEST(SeriesStore, SeriesMissingFromAScrapeGetOneStalenessMarker) {
  SeriesStore store;
  scrape(store, "a 1\nb 2\n", 1000);
  scrape(store, "a 1\n", 2000);
  scrape(store, "a 1\n", 3000);
  auto b = all_points(store, "b");
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].value, 2);
  EXPECT_EQ(b[1].t_ms, 2000);
  EXPECT_TRUE(is_stale_nan(b[1].value));
  {
    auto reader = store.read();
    auto latest = reader.latest(only(reader, "b"), 3000 - 300'000, 3000);
    ASSERT_TRUE(latest);
    EXPECT_TRUE(is_stale_nan(latest->value));
  }
  // It comes back: ordinary samples again.
  scrape(store, "a 1\nb 7\n", 4000);
  b = all_points(store, "b");
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[2].value, 7);
}

TEST(SeriesStore, FailedScrapeRecordsUpZeroAndMarksEverythingStale) {
  SeriesStore store;
  scrape(store, "a 1\n", 1000);
  store.append_failed_scrape(2000);
  auto up = all_points(store, "up");
  ASSERT_EQ(up.size(), 2u);
  EXPECT_EQ(up[1].value, 0);
  auto a = all_points(store, "a");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_TRUE(is_stale_nan(a[1].value));
  store.append_failed_scrape(3000);
  EXPECT_EQ(all_points(store, "a").size(), 2u);  // one marker, not one per failed scrape
}

TEST(SeriesStore, ExporterTimestampsAreKeptAndGetNoStalenessMarker) {
  SeriesStore store;
  scrape(store, "a 1 500\n", 1000);
  scrape(store, "b 1\n", 2000);
  auto a = all_points(store, "a");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].t_ms, 500);
}

TEST(SeriesStore, DuplicateAndOlderSamplesAreCountedNotStored) {
  SeriesStore store;
  scrape(store, "a 1\na 2\n", 1000);
  EXPECT_EQ(store.out_of_order_samples(), 1u);
  scrape(store, "a 3\n", 500);                  // the clock went back
  EXPECT_EQ(store.out_of_order_samples(), 3u);  // a, and up
  auto a = all_points(store, "a");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].value, 1);
}

TEST(SeriesStore, NewSeriesPastTheLimitAreDroppedAndCounted) {
  SeriesStore store(SeriesStoreOptions{.max_series = 3});
  scrape(store, "a 1\nb 1\nc 1\nd 1\n", 1000);
  EXPECT_EQ(store.series_count(), 3u);  // up, a, b
  EXPECT_EQ(store.dropped_series(), 2u);
  scrape(store, "a 2\nb 2\nc 2\n", 2000);
  EXPECT_EQ(store.dropped_series(), 3u);
  auto reader = store.read();
  EXPECT_TRUE(reader.series_named("c").empty());
  EXPECT_EQ(reader.latest(only(reader, "a"), 0, 2000)->value, 2);
}

TEST(SeriesStore, GaugesDownsampleToTheBucketAverage) {
  // Raw window 30 s, 10 s buckets: after 100 s only the last 30 s are raw.
  SeriesStore store(SeriesStoreOptions{.raw_window_ms = 30'000, .downsample_resolution_ms = 10'000});
  for (int64_t t = 0; t <= 100'000; t += 2'000) scrape(store, "g " + std::to_string(t / 1000) + "\n", t);
  auto points = all_points(store, "g");
  // Bucket [0, 10 s): samples at 0, 2, 4, 6, 8 s with values 0, 2, 4, 6, 8 -> one point, average 4,
  // stamped at the last sample (8 s). Likewise [10 s, 20 s) -> 14 at 18 s.
  ASSERT_GE(points.size(), 3u);
  EXPECT_EQ(points[0].t_ms, 8'000);
  EXPECT_EQ(points[0].value, 4);
  EXPECT_EQ(points[1].t_ms, 18'000);
  EXPECT_EQ(points[1].value, 14);
  // Raw samples (every 2 s) cover (70 s, 100 s]; coarse points come before them only.
  auto reader = store.read();
  std::vector<Point> raw;
  reader.points(only(reader, "g"), 70'000, 100'000, raw);
  ASSERT_EQ(raw.size(), 15u);
  EXPECT_EQ(raw.front().t_ms, 72'000);
  for (std::size_t i = 1; i < points.size(); ++i) EXPECT_LT(points[i - 1].t_ms, points[i].t_ms);
  // Everything: 7 coarse points (buckets ending at 8, 18, ..., 68 s) then the 15 raw ones. The
  // bucket [70 s, 80 s) is partly evicted from raw; its coarse point (78 s) is newer than the
  // raw front, so the raw samples serve that time.
  EXPECT_EQ(points.size(), 7u + 15u);
  EXPECT_EQ(points[6].t_ms, 68'000);
  EXPECT_EQ(points[6].value, 64);
}

TEST(SeriesStore, CounterDownsamplingKeepsResets) {
  SeriesStore store(SeriesStoreOptions{.raw_window_ms = 20'000, .downsample_resolution_ms = 10'000});
  // One sample every 2 s. In the bucket [0, 10 s) the counter resets at 4 s and then climbs
  // ABOVE its pre-reset value: 100, 110, 0, 200, 210. A plain "last value per bucket" would keep
  // 210 and hide the reset. Then it keeps climbing by 10 per sample.
  std::vector<double> values = {100, 110, 0, 200, 210};
  for (int i = 5; i <= 40; ++i) values.push_back(210 + 10 * (i - 4));
  std::vector<Point> raw;
  for (std::size_t i = 0; i < values.size(); ++i) {
    int64_t t = static_cast<int64_t>(i) * 2'000;
    raw.push_back({t, values[i]});
    scrape(store, "# TYPE c counter\nc " + std::to_string(values[i]) + "\n", t);
  }
  auto points = all_points(store, "c");
  // Coarse: bucket 0 closes at the reset with its pre-reset value (2 s, 110), the post-reset
  // sample is kept (4 s, 0), then the bucket goes on to 8 s (210).
  ASSERT_GE(points.size(), 4u);
  EXPECT_EQ(points[0].t_ms, 2'000);
  EXPECT_EQ(points[0].value, 110);
  EXPECT_EQ(points[1].t_ms, 4'000);
  EXPECT_EQ(points[1].value, 0);
  EXPECT_EQ(points[2].t_ms, 8'000);
  EXPECT_EQ(points[2].value, 210);
  // The increase seen through the coarse tier equals the raw increase between the same samples:
  // raw from 2 s: 110 -> 0 (reset, +110 correction) -> ... -> last. Both: last - 110 + 110.
  std::vector<Point> raw_from_first(raw.begin() + 1, raw.end());
  EXPECT_EQ(reset_corrected_increase(points), reset_corrected_increase(raw_from_first));
  EXPECT_EQ(reset_corrected_increase(points), values.back());
}

TEST(SeriesStore, ReadsAcrossTheTiersForOldWindows) {
  SeriesStore store(SeriesStoreOptions{
      .raw_window_ms = 60'000, .downsample_resolution_ms = 10'000, .downsample_window_ms = 600'000});
  for (int64_t t = 1'000; t <= 900'000; t += 1'000) scrape(store, "g 1\n", t);
  auto reader = store.read();
  SeriesId g = only(reader, "g");
  // 15 minutes of 1 s scrapes: the last 60 s raw (60 points), before it coarse points, one per
  // 10 s bucket, back to the 10-minute coarse window: (300 s, 840 s) -> 54 buckets.
  std::vector<Point> points;
  reader.points(g, 0, 900'000, points);
  EXPECT_EQ(points.size(), 54u + 60u);
  // An instant lookup 5 minutes ago is served by the coarse tier.
  auto old = reader.latest(g, 600'000 - 300'000, 600'000);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->t_ms, 599'000);               // the bucket [590 s, 600 s) ends with the sample at 599 s
  EXPECT_FALSE(reader.latest(g, 0, 200'000));  // older than both windows
}

TEST(SeriesStore, MemoryStopsGrowingOnceTheWindowsAreFull) {
  SeriesStoreOptions options{
      .raw_window_ms = 60'000, .downsample_resolution_ms = 10'000, .downsample_window_ms = 600'000};
  SeriesStore store(options);
  std::string text;
  for (int i = 0; i < 50; ++i) text += "m{i=\"" + std::to_string(i) + "\"} " + std::to_string(i) + "\n";
  auto parsed = parse_exposition(text);
  int64_t t = 0;
  for (int i = 0; i < 1'000; ++i) store.append_scrape(parsed, t += 1'000);
  std::size_t full = store.memory_bytes();
  for (int i = 0; i < 2'000; ++i) store.append_scrape(parsed, t += 1'000);
  EXPECT_EQ(store.memory_bytes(), full);
  // 51 series x (64 raw slots for 60 points + 64 coarse slots for 60 buckets) x 16 bytes is the
  // bulk of it.
  EXPECT_GT(full, 51u * (64 + 64) * 16);
  EXPECT_LT(full, 51u * (64 + 64) * 16 * 2);
}

TEST(SeriesStore, RawRingIsCappedInPoints) {
  SeriesStore store(SeriesStoreOptions{.max_raw_points = 10});
  for (int64_t t = 1; t <= 100; ++t) scrape(store, "g 1\n", t);  // 100 samples within 100 ms
  auto reader = store.read();
  std::vector<Point> raw;
  reader.points(only(reader, "g"), 0, 100, raw);
  ASSERT_EQ(raw.size(), 10u);
  EXPECT_EQ(raw.front().t_ms, 91);
}

TEST(SeriesStore, SeriesGoneForTheWholeWindowAreRemoved) {
  SeriesStore store(SeriesStoreOptions{.raw_window_ms = 10'000, .downsample_window_ms = 60'000});
  scrape(store, "a 1\nb{x=\"only-here\"} 1\n", 1'000);
  for (int64_t t = 2'000; t <= 60'000; t += 1'000) scrape(store, "a 1\n", t);
  EXPECT_EQ(store.series_count(), 3u);  // b's staleness marker (2 s) is still in the window
  std::size_t with_b = store.memory_bytes();
  scrape(store, "a 1\n", 62'000);
  EXPECT_EQ(store.series_count(), 2u);
  EXPECT_TRUE(store.read().series_named("b").empty());
  EXPECT_LT(store.memory_bytes(), with_b);
  // Its slot is reused by the next new series.
  scrape(store, "a 1\nc 1\n", 63'000);
  EXPECT_EQ(store.series_count(), 3u);
  EXPECT_EQ(all_points(store, "c").size(), 1u);
}

TEST(SeriesStore, OneWriterManyReaders) {
  SeriesStore store;
  auto parsed = parse_exposition("a 1\nb{x=\"1\"} 2\nc 3\n");
  std::atomic<int> violations{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      std::vector<Point> points;
      // A fixed number of reads rather than "until the writer is done": a reader-preferring
      // lock could otherwise hold the writer off for as long as the readers overlap.
      for (int round = 0; round < 200; ++round) {
        auto reader = store.read();
        for (SeriesId id : reader.all_series()) {
          points.clear();
          reader.points(id, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), points);
          for (std::size_t i = 1; i < points.size(); ++i) {
            if (points[i].t_ms <= points[i - 1].t_ms) violations.fetch_add(1);
          }
        }
      }
    });
  }
  for (int64_t t = 1; t <= 2'000; ++t) store.append_scrape(parsed, t * 1'000);
  for (auto& thread : readers) thread.join();
  EXPECT_EQ(violations.load(), 0);
  EXPECT_EQ(store.series_count(), 4u);
  // Raw: the last 15 minutes of 1 s scrapes (900). Before them one coarse point per 10 s bucket:
  // (9 s, 19 s, ..., 1099 s) = 110.
  EXPECT_EQ(all_points(store, "a").size(), 900u + 110u);
}
