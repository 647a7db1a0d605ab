#include "metrics/series_store.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <deque>
#include <limits>
#include <mutex>
#include <string>
#include <unordered_map>

namespace prodmcp::console::metrics {

namespace {

// A ring that grows on demand up to a hard capacity (then drops its oldest element), so a series
// costs memory for the points it has, not for the window it could have.
template <class T>
class Ring {
 public:
  Ring() = default;
  explicit Ring(std::size_t hard_capacity) : hard_capacity_(hard_capacity) {}

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T const& operator[](std::size_t i) const { return buffer_[wrap(head_ + i)]; }
  T const& front() const { return buffer_[head_]; }
  T const& back() const { return (*this)[size_ - 1]; }
  std::size_t capacity_bytes() const { return buffer_.capacity() * sizeof(T); }

  void push_back(T value) {
    if (size_ == buffer_.size()) {
      if (buffer_.size() < hard_capacity_) {
        grow();
      } else {
        pop_front();
      }
    }
    buffer_[wrap(head_ + size_)] = value;
    ++size_;
  }

  void pop_front() {
    head_ = wrap(head_ + 1);
    --size_;
  }

  // The first index for which `before(element)` is false; `before` holds for a prefix.
  template <class Pred>
  std::size_t partition_point(Pred before) const {
    std::size_t low = 0;
    std::size_t high = size_;
    while (low < high) {
      std::size_t mid = low + (high - low) / 2;
      if (before((*this)[mid])) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

 private:
  std::size_t wrap(std::size_t i) const { return i >= buffer_.size() ? i - buffer_.size() : i; }

  void grow() {
    std::size_t capacity = std::min(std::max<std::size_t>(8, buffer_.size() * 2), hard_capacity_);
    std::vector<T> bigger(capacity);
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = (*this)[i];
    buffer_ = std::move(bigger);
    head_ = 0;
  }

  std::vector<T> buffer_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
  std::size_t hard_capacity_ = 0;
};

// Interned strings with reference counts, so label values of removed series are freed.
class StringPool {
 public:
  std::optional<uint32_t> find(std::string_view s) const {
    auto it = ids_.find(s);
    if (it == ids_.end()) return std::nullopt;
    return it->second;
  }

  uint32_t acquire(std::string_view s) {
    if (auto it = ids_.find(s); it != ids_.end()) {
      ++refs_[it->second];
      return it->second;
    }
    uint32_t id;
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
    } else {
      id = static_cast<uint32_t>(strings_.size());
      strings_.emplace_back();
      refs_.push_back(0);
    }
    // A deque never moves its elements, so the views in ids_ stay valid.
    strings_[id].assign(s);
    refs_[id] = 1;
    ids_.emplace(std::string_view(strings_[id]), id);
    return id;
  }

  void release(uint32_t id) {
    if (--refs_[id] != 0) return;
    ids_.erase(std::string_view(strings_[id]));
    std::string().swap(strings_[id]);
    free_.push_back(id);
  }

  std::string_view view(uint32_t id) const { return strings_[id]; }

  std::size_t memory_bytes() const {
    std::size_t bytes = strings_.size() * (sizeof(std::string) + sizeof(uint32_t)) +
                        ids_.size() * (sizeof(std::string_view) + 2 * sizeof(void*) + sizeof(uint32_t)) +
                        ids_.bucket_count() * sizeof(void*);
    for (auto const& s : strings_) {
      if (s.capacity() > 15) bytes += s.capacity() + 1;  // beyond the small-string buffer
    }
    return bytes;
  }

 private:
  std::deque<std::string> strings_;
  std::vector<uint32_t> refs_;
  std::vector<uint32_t> free_;
  std::unordered_map<std::string_view, uint32_t> ids_;
};

struct KeyHash {
  std::size_t operator()(std::vector<uint32_t> const& key) const noexcept {
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ key.size();
    for (uint32_t x : key) {
      h ^= x;
      h *= 0xBF58476D1CE4E5B9ULL;
      h ^= h >> 31;
    }
    return static_cast<std::size_t>(h);
  }
};

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

struct Series {
  std::vector<uint32_t> key;  // metric name id, then (label name id, label value id) pairs by name
  SeriesKind kind = SeriesKind::kGauge;
  bool alive = false;
  bool own_timestamps = false;  // the exporter stamps it: no staleness markers
  uint64_t last_scrape = 0;
  double last_value = std::numeric_limits<double>::quiet_NaN();  // newest non-stale value
  Ring<Point> raw;
  Ring<Point> downsampled;
  // The open downsampling bucket.
  int64_t bucket = 0;
  uint32_t bucket_count = 0;
  double bucket_sum = 0;
  Point bucket_last;
};

}  // namespace

struct SeriesStore::State {
  explicit State(SeriesStoreOptions const& o) : options(o) {}

  SeriesStoreOptions options;
  StringPool pool;
  std::vector<Series> series;  // indexed by SeriesId
  std::vector<SeriesId> free_ids;
  std::unordered_map<std::vector<uint32_t>, SeriesId, KeyHash> by_key;
  std::unordered_map<uint32_t, std::vector<SeriesId>> by_name;
  std::size_t live = 0;
  uint64_t scrape_seq = 0;
  uint64_t dropped = 0;
  uint64_t out_of_order = 0;
  SeriesId up_id = 0;
  std::vector<uint32_t> scratch;  // lookup key, reused so the hot path does not allocate

  std::size_t raw_capacity() const { return std::max<std::size_t>(1, options.max_raw_points); }
  // Room for the window's buckets plus some staleness/reset points; a series that has more loses
  // its oldest coarse points early rather than growing without bound.
  std::size_t downsampled_capacity() const {
    return static_cast<std::size_t>(options.downsample_window_ms /
                                    std::max<int64_t>(1, options.downsample_resolution_ms)) +
           64;
  }

  std::optional<SeriesId> find(Sample const& sample) {
    scratch.clear();
    auto name = pool.find(sample.name);
    if (!name) return std::nullopt;
    scratch.push_back(*name);
    for (Label const& label : sample.labels) {
      auto n = pool.find(label.name);
      if (!n) return std::nullopt;
      auto v = pool.find(label.value);
      if (!v) return std::nullopt;
      scratch.push_back(*n);
      scratch.push_back(*v);
    }
    auto it = by_key.find(scratch);
    if (it == by_key.end()) return std::nullopt;
    return it->second;
  }

  SeriesId create(std::string_view name, std::span<Label const> labels, SeriesKind kind) {
    std::vector<uint32_t> key;
    key.reserve(1 + 2 * labels.size());
    key.push_back(pool.acquire(name));
    for (Label const& label : labels) {
      key.push_back(pool.acquire(label.name));
      key.push_back(pool.acquire(label.value));
    }
    SeriesId id;
    if (!free_ids.empty()) {
      id = free_ids.back();
      free_ids.pop_back();
    } else {
      id = static_cast<SeriesId>(series.size());
      series.emplace_back();
    }
    Series& s = series[id];
    s = Series{};
    s.key = key;
    s.kind = kind;
    s.alive = true;
    s.raw = Ring<Point>(raw_capacity());
    s.downsampled = Ring<Point>(downsampled_capacity());
    by_name[key[0]].push_back(id);
    by_key.emplace(std::move(key), id);
    ++live;
    return id;
  }

  void remove(SeriesId id) {
    Series& s = series[id];
    auto& named = by_name[s.key[0]];
    named.erase(std::find(named.begin(), named.end(), id));
    if (named.empty()) by_name.erase(s.key[0]);
    by_key.erase(s.key);
    for (uint32_t string_id : s.key) pool.release(string_id);
    s = Series{};
    free_ids.push_back(id);
    --live;
  }

  void flush_bucket(Series& s) {
    if (s.bucket_count == 0) return;
    double value = s.kind == SeriesKind::kCounter ? s.bucket_last.value : s.bucket_sum / s.bucket_count;
    s.downsampled.push_back({s.bucket_last.t_ms, value});
    s.bucket_count = 0;
    s.bucket_sum = 0;
  }

  void append(Series& s, int64_t t_ms, double value) {
    if (!s.raw.empty() && t_ms <= s.raw.back().t_ms) {
      ++out_of_order;
      return;
    }
    if (is_stale_nan(value)) {
      flush_bucket(s);
      s.downsampled.push_back({t_ms, value});
    } else if (s.kind == SeriesKind::kCounter && value < s.last_value) {
      // A reset: close the bucket with the pre-reset value and keep the post-reset sample, so the
      // coarse tier shows the drop (see the header).
      flush_bucket(s);
      s.downsampled.push_back({t_ms, value});
      s.bucket = floor_div(t_ms, options.downsample_resolution_ms);
      s.last_value = value;
    } else {
      int64_t bucket = floor_div(t_ms, options.downsample_resolution_ms);
      if (s.bucket_count > 0 && bucket != s.bucket) flush_bucket(s);
      s.bucket = bucket;
      ++s.bucket_count;
      s.bucket_sum += value;
      s.bucket_last = {t_ms, value};
      s.last_value = value;
    }
    s.raw.push_back({t_ms, value});
    while (s.raw.front().t_ms <= t_ms - options.raw_window_ms) s.raw.pop_front();
    while (!s.downsampled.empty() && s.downsampled.front().t_ms <= t_ms - options.downsample_window_ms) {
      s.downsampled.pop_front();
    }
  }

  // After a scrape's samples: staleness markers for the series it no longer has, and removal of
  // series with nothing left in either window.
  void finish_scrape(int64_t t_ms) {
    for (SeriesId id = 0; id < series.size(); ++id) {
      Series& s = series[id];
      if (!s.alive || s.last_scrape == scrape_seq) continue;
      if (s.last_scrape + 1 == scrape_seq && !s.own_timestamps) append(s, t_ms, stale_nan());
      if (id != up_id && !s.raw.empty() && s.raw.back().t_ms <= t_ms - options.downsample_window_ms)
        remove(id);
    }
  }

  std::size_t memory_bytes() const {
    std::size_t bytes = sizeof(State) + series.capacity() * sizeof(Series) +
                        free_ids.capacity() * sizeof(SeriesId) + pool.memory_bytes() +
                        by_key.bucket_count() * sizeof(void*) + by_name.bucket_count() * sizeof(void*) +
                        scratch.capacity() * sizeof(uint32_t);
    constexpr std::size_t kNodeOverhead = 2 * sizeof(void*);
    for (Series const& s : series) {
      // The key is held twice: by the series and by the key index.
      bytes +=
          2 * s.key.capacity() * sizeof(uint32_t) + s.raw.capacity_bytes() + s.downsampled.capacity_bytes();
    }
    bytes += by_key.size() * (sizeof(std::vector<uint32_t>) + sizeof(SeriesId) + kNodeOverhead);
    for (auto const& [name, ids] : by_name) {
      bytes += sizeof(uint32_t) + sizeof(std::vector<SeriesId>) + kNodeOverhead +
               ids.capacity() * sizeof(SeriesId);
    }
    return bytes;
  }
};

SeriesKind series_kind(MetricFamily const& family, Sample const& sample) {
  switch (family.type) {
    case MetricType::kCounter:
      return SeriesKind::kCounter;
    case MetricType::kHistogram:
      return sample.name == family.name ? SeriesKind::kGauge : SeriesKind::kCounter;
    case MetricType::kSummary:
      return sample.name == family.name ? SeriesKind::kGauge : SeriesKind::kCounter;
    case MetricType::kGauge:
    case MetricType::kUntyped:
      break;
  }
  return SeriesKind::kGauge;
}

SeriesStore::SeriesStore(SeriesStoreOptions options)
    : options_(options), state_(std::make_unique<State>(options)) {
  // "up" exists from the start and is never refused for the series limit.
  state_->up_id = state_->create("up", options_.up_labels, SeriesKind::kGauge);
}

SeriesStore::~SeriesStore() = default;

void SeriesStore::append_scrape(ParseResult const& scrape, int64_t t_ms) {
  std::unique_lock lock(mutex_);
  State& st = *state_;
  ++st.scrape_seq;
  for (MetricFamily const& family : scrape.families) {
    for (Sample const& sample : family.samples) {
      auto id = st.find(sample);
      if (!id) {
        if (st.live >= options_.max_series) {
          ++st.dropped;
          continue;
        }
        id = st.create(sample.name, sample.labels, series_kind(family, sample));
      }
      Series& s = st.series[*id];
      s.own_timestamps = sample.timestamp_ms.has_value();
      st.append(s, sample.timestamp_ms.value_or(t_ms), sample.value);
      s.last_scrape = st.scrape_seq;
    }
  }
  Series& up = st.series[st.up_id];
  st.append(up, t_ms, 1);
  up.last_scrape = st.scrape_seq;
  st.finish_scrape(t_ms);
}

void SeriesStore::append_failed_scrape(int64_t t_ms) {
  std::unique_lock lock(mutex_);
  State& st = *state_;
  ++st.scrape_seq;
  Series& up = st.series[st.up_id];
  st.append(up, t_ms, 0);
  up.last_scrape = st.scrape_seq;
  st.finish_scrape(t_ms);
}

std::size_t SeriesStore::series_count() const {
  std::shared_lock lock(mutex_);
  return state_->live;
}

std::size_t SeriesStore::memory_bytes() const {
  std::shared_lock lock(mutex_);
  return state_->memory_bytes();
}

uint64_t SeriesStore::dropped_series() const {
  std::shared_lock lock(mutex_);
  return state_->dropped;
}

uint64_t SeriesStore::out_of_order_samples() const {
  std::shared_lock lock(mutex_);
  return state_->out_of_order;
}

SeriesStore::Reader SeriesStore::read() const {
  return Reader(*state_, mutex_);
}

std::span<SeriesId const> SeriesStore::Reader::series_named(std::string_view name) const {
  auto id = state_->pool.find(name);
  if (!id) return {};
  auto it = state_->by_name.find(*id);
  if (it == state_->by_name.end()) return {};
  return it->second;
}

std::vector<SeriesId> SeriesStore::Reader::all_series() const {
  std::vector<SeriesId> ids;
  ids.reserve(state_->live);
  for (SeriesId id = 0; id < state_->series.size(); ++id) {
    if (state_->series[id].alive) ids.push_back(id);
  }
  return ids;
}

std::string_view SeriesStore::Reader::metric_name(SeriesId id) const {
  return state_->pool.view(state_->series[id].key[0]);
}

void SeriesStore::Reader::labels(SeriesId id, std::vector<LabelView>& out) const {
  out.clear();
  auto const& key = state_->series[id].key;
  for (std::size_t i = 1; i + 1 < key.size(); i += 2) {
    out.push_back({state_->pool.view(key[i]), state_->pool.view(key[i + 1])});
  }
}

SeriesKind SeriesStore::Reader::kind(SeriesId id) const {
  return state_->series[id].kind;
}

void SeriesStore::Reader::points(SeriesId id, int64_t after_ms, int64_t until_ms,
                                 std::vector<Point>& out) const {
  Series const& s = state_->series[id];
  int64_t raw_front = s.raw.empty() ? std::numeric_limits<int64_t>::max() : s.raw.front().t_ms;
  if (after_ms < raw_front) {
    // The part older than the raw ring comes from the downsampled tier.
    int64_t coarse_until = std::min(until_ms, raw_front - 1);
    auto const& ds = s.downsampled;
    for (std::size_t i = ds.partition_point([&](Point const& p) { return p.t_ms <= after_ms; });
         i < ds.size() && ds[i].t_ms <= coarse_until; ++i) {
      out.push_back(ds[i]);
    }
  }
  auto const& raw = s.raw;
  for (std::size_t i = raw.partition_point([&](Point const& p) { return p.t_ms <= after_ms; });
       i < raw.size() && raw[i].t_ms <= until_ms; ++i) {
    out.push_back(raw[i]);
  }
}

std::optional<Point> SeriesStore::Reader::latest(SeriesId id, int64_t after_ms, int64_t until_ms) const {
  Series const& s = state_->series[id];
  std::size_t i = s.raw.partition_point([&](Point const& p) { return p.t_ms <= until_ms; });
  if (i > 0) {
    if (s.raw[i - 1].t_ms > after_ms) return s.raw[i - 1];
    return std::nullopt;  // the downsampled points are older still
  }
  int64_t bound = s.raw.empty() ? until_ms : std::min(until_ms, s.raw.front().t_ms - 1);
  std::size_t j = s.downsampled.partition_point([&](Point const& p) { return p.t_ms <= bound; });
  if (j > 0 && s.downsampled[j - 1].t_ms > after_ms) return s.downsampled[j - 1];
  return std::nullopt;
}

}  // namespace prodmcp::console::metrics
