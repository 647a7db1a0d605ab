// Evaluation of a parsed PromQL expression over a SeriesStore, following Prometheus 3's engine:
// instant selectors look back 5 minutes over (t - 5m, t] and stop at staleness markers; range
// selectors take (t - range, t]; rate/increase/delta are extrapolatedRate, histogram_quantile is
// bucketQuantile (promql/functions.go and promql/quantile.go).
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "metrics/promql.hpp"

namespace prodmcp::console::metrics {

namespace {

using Labels = std::vector<Label>;

constexpr std::string_view kNameLabel = "__name__";
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

struct EvalError {
  std::string message;
};

struct VSample {
  Labels labels;
  double value = 0;
};
using Vector = std::vector<VSample>;

struct Value {
  PromqlType type = PromqlType::kVector;
  double scalar = 0;
  Vector vector;
};

bool labels_less(Labels const& a, Labels const& b) {
  return std::lexicographical_compare(
      a.begin(), a.end(), b.begin(), b.end(),
      [](Label const& x, Label const& y) { return x.name != y.name ? x.name < y.name : x.value < y.value; });
}

void drop_name(Labels& labels) {
  labels.erase(
      std::remove_if(labels.begin(), labels.end(), [](Label const& l) { return l.name == kNameLabel; }),
      labels.end());
}

bool contains(std::vector<std::string> const& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A key for a label subset: with `on`, only `names`; otherwise all but `names` and the metric name.
std::string signature(Labels const& labels, bool on, std::vector<std::string> const& names) {
  std::string key;
  for (Label const& l : labels) {
    bool listed = contains(names, l.name);
    if (on ? !listed : (listed || l.name == kNameLabel)) continue;
    key.append(l.name);
    key.push_back('\xff');
    key.append(l.value);
    key.push_back('\xfe');
  }
  return key;
}

std::string full_key(Labels const& labels) {
  std::string key;
  for (Label const& l : labels) {
    key.append(l.name);
    key.push_back('\xff');
    key.append(l.value);
    key.push_back('\xfe');
  }
  return key;
}

// Prometheus refuses a result with two equal label sets (e.g. rate() over two metric names whose
// labels are otherwise the same); so do we, rather than showing one of them.
void check_unique(Vector& v) {
  std::sort(v.begin(), v.end(),
            [](VSample const& a, VSample const& b) { return labels_less(a.labels, b.labels); });
  for (std::size_t i = 1; i < v.size(); ++i) {
    if (v[i].labels == v[i - 1].labels) {
      throw EvalError{"vector cannot contain metrics with the same labelset " + full_key(v[i].labels)};
    }
  }
}

// Go's math.Max/Min: NaN wins, unlike std::fmax.
double go_max(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return kNaN;
  return a > b ? a : b;
}
double go_min(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return kNaN;
  return a < b ? a : b;
}

// Kahan-Neumaier summation as Prometheus's kahanSumInc.
struct KahanSum {
  double sum = 0;
  double c = 0;
  void add(double inc) {
    double t = sum + inc;
    if (std::isinf(t)) {
      c = 0;
    } else if (std::fabs(sum) >= std::fabs(inc)) {
      c += (sum - t) + inc;
    } else {
      c += (inc - t) + sum;
    }
    sum = t;
  }
  double value() const { return sum + c; }
};

// extrapolatedRate of promql/functions.go for float samples. `points` are the non-stale samples
// in (range_start, range_end].
std::optional<double> extrapolated_rate(std::vector<Point> const& points, int64_t range_start,
                                        int64_t range_end, int64_t range_ms, bool is_counter, bool is_rate) {
  if (points.size() < 2) return std::nullopt;
  Point const& first = points.front();
  Point const& last = points.back();
  double result = last.value - first.value;
  if (is_counter) {
    for (std::size_t i = 1; i < points.size(); ++i) {
      if (points[i].value < points[i - 1].value) result += points[i - 1].value;
    }
  }
  double duration_to_start = static_cast<double>(first.t_ms - range_start) / 1000;
  double duration_to_end = static_cast<double>(range_end - last.t_ms) / 1000;
  double sampled_interval = static_cast<double>(last.t_ms - first.t_ms) / 1000;
  double average_between_samples = sampled_interval / static_cast<double>(points.size() - 1);
  // Extrapolate to a window edge only if a sample is missing there by at most 10% more than the
  // average spacing; otherwise assume the series starts/ends half a spacing beyond its samples.
  double threshold = average_between_samples * 1.1;
  if (duration_to_start >= threshold) duration_to_start = average_between_samples / 2;
  if (is_counter) {
    // A counter cannot go below zero: do not extrapolate further back than where it was 0.
    double duration_to_zero = duration_to_start;
    if (result > 0 && first.value >= 0) duration_to_zero = sampled_interval * (first.value / result);
    if (duration_to_zero < duration_to_start) duration_to_start = duration_to_zero;
  }
  if (duration_to_end >= threshold) duration_to_end = average_between_samples / 2;
  double factor = (sampled_interval + duration_to_start + duration_to_end) / sampled_interval;
  if (is_rate) factor /= static_cast<double>(range_ms) / 1000;
  return result * factor;
}

// instantValue of promql/functions.go (irate): the last two samples.
std::optional<double> instant_rate(std::vector<Point> const& points) {
  if (points.size() < 2) return std::nullopt;
  Point const& previous = points[points.size() - 2];
  Point const& last = points.back();
  int64_t interval = last.t_ms - previous.t_ms;
  if (interval == 0) return std::nullopt;
  // After a counter reset the last value is the increase since the reset.
  double result = last.value < previous.value ? last.value : last.value - previous.value;
  return result / (static_cast<double>(interval) / 1000);
}

class Evaluator {
 public:
  explicit Evaluator(SeriesStore::Reader const& reader) : reader_(reader) {}

  Value eval(PromqlExpr const& e, int64_t t) {
    switch (e.kind) {
      case PromqlExpr::Kind::kNumber:
        return Value{PromqlType::kScalar, e.number, {}};
      case PromqlExpr::Kind::kSelector:
        return eval_selector(e, t);
      case PromqlExpr::Kind::kRangeSelector:
        break;  // only as a function argument, checked by the parser
      case PromqlExpr::Kind::kCall:
        return eval_call(e, t);
      case PromqlExpr::Kind::kAggregation:
        return eval_aggregation(e, t);
      case PromqlExpr::Kind::kBinary:
        return eval_binary(e, t);
      case PromqlExpr::Kind::kNegation: {
        Value v = eval(*e.children[0], t);
        if (v.type == PromqlType::kScalar) {
          v.scalar = -v.scalar;
          return v;
        }
        for (VSample& s : v.vector) {
          s.value = -s.value;
          drop_name(s.labels);
        }
        check_unique(v.vector);
        return v;
      }
    }
    throw EvalError{"a range vector cannot be evaluated on its own"};
  }

 private:
  struct Selected {
    SeriesId id;
    Labels labels;  // with __name__
  };

  // The series a selector matches do not change during one evaluation (the reader holds the
  // lock), so they are matched once, not at every step of a range query.
  std::vector<Selected> const& select(PromqlExpr const& e) {
    auto [it, inserted] = selections_.try_emplace(&e);
    if (!inserted) return it->second;
    std::string_view name;
    for (LabelMatcher const& m : e.matchers) {
      if (m.name == kNameLabel && m.op == LabelMatcher::Op::kEqual) name = m.value;
    }
    std::vector<SeriesId> all;
    std::span<SeriesId const> candidates;
    if (!name.empty()) {
      candidates = reader_.series_named(name);
    } else {
      all = reader_.all_series();
      candidates = all;
    }
    for (SeriesId id : candidates) {
      std::string_view metric = reader_.metric_name(id);
      reader_.labels(id, views_);
      bool match = std::all_of(e.matchers.begin(), e.matchers.end(), [&](LabelMatcher const& m) {
        if (m.name == kNameLabel) return m.matches(metric);
        for (LabelView const& l : views_) {
          if (l.name == m.name) return m.matches(l.value);
        }
        return m.matches("");
      });
      if (!match) continue;
      Selected selected{id, {}};
      selected.labels.reserve(views_.size() + 1);
      bool name_added = false;
      for (LabelView const& l : views_) {
        if (!name_added && l.name > kNameLabel) {
          selected.labels.push_back({std::string(kNameLabel), std::string(metric)});
          name_added = true;
        }
        selected.labels.push_back({std::string(l.name), std::string(l.value)});
      }
      if (!name_added) selected.labels.push_back({std::string(kNameLabel), std::string(metric)});
      it->second.push_back(std::move(selected));
    }
    return it->second;
  }

  Value eval_selector(PromqlExpr const& e, int64_t t) {
    Value v;
    for (Selected const& s : select(e)) {
      auto p = reader_.latest(s.id, t - kLookbackDeltaMs, t);
      if (!p || is_stale_nan(p->value)) continue;
      v.vector.push_back({s.labels, p->value});
    }
    return v;
  }

  // The non-stale samples of a series in (t - range, t].
  std::vector<Point> const& range_points(SeriesId id, int64_t range_ms, int64_t t) {
    points_.clear();
    reader_.points(id, t - range_ms, t, points_);
    points_.erase(
        std::remove_if(points_.begin(), points_.end(), [](Point const& p) { return is_stale_nan(p.value); }),
        points_.end());
    return points_;
  }

  double scalar_arg(PromqlExpr const& e, int64_t t) { return eval(e, t).scalar; }

  static bool fixed_name(PromqlExpr const& selector) {
    return std::any_of(selector.matchers.begin(), selector.matchers.end(), [](LabelMatcher const& m) {
      return m.name == kNameLabel && m.op == LabelMatcher::Op::kEqual;
    });
  }

  Value eval_call(PromqlExpr const& e, int64_t t) {
    Value out;
    switch (e.function) {
      case PromqlFunction::kTime:
        return Value{PromqlType::kScalar, static_cast<double>(t) / 1000, {}};
      case PromqlFunction::kRate:
      case PromqlFunction::kIncrease:
      case PromqlFunction::kIrate:
      case PromqlFunction::kDelta:
      case PromqlFunction::kAvgOverTime:
      case PromqlFunction::kMaxOverTime:
      case PromqlFunction::kMinOverTime:
      case PromqlFunction::kChanges:
      case PromqlFunction::kResets: {
        PromqlExpr const& range = *e.children[0];
        for (Selected const& s : select(range)) {
          auto const& points = range_points(s.id, range.range_ms, t);
          auto value = over_time(e.function, points, t, range.range_ms);
          if (!value) continue;
          Labels labels = s.labels;
          drop_name(labels);
          out.vector.push_back({std::move(labels), *value});
        }
        // Series of one metric name stay distinct without it; only a selector that can match
        // several names can produce equal label sets.
        if (!fixed_name(range)) check_unique(out.vector);
        return out;
      }
      case PromqlFunction::kHistogramQuantile:
        out.vector = histogram_quantile(scalar_arg(*e.children[0], t), eval(*e.children[1], t).vector);
        break;
      case PromqlFunction::kClampMin:
      case PromqlFunction::kClampMax:
      case PromqlFunction::kAbs: {
        out.vector = eval(*e.children[0], t).vector;
        double bound = e.function == PromqlFunction::kAbs ? 0 : scalar_arg(*e.children[1], t);
        for (VSample& s : out.vector) {
          drop_name(s.labels);
          if (e.function == PromqlFunction::kClampMin) {
            s.value = go_max(bound, go_min(kInf, s.value));
          } else if (e.function == PromqlFunction::kClampMax) {
            s.value = go_max(-kInf, go_min(bound, s.value));
          } else {
            s.value = std::fabs(s.value);
          }
        }
        break;
      }
    }
    check_unique(out.vector);
    return out;
  }

  static std::optional<double> over_time(PromqlFunction f, std::vector<Point> const& points, int64_t t,
                                         int64_t range_ms) {
    switch (f) {
      case PromqlFunction::kRate:
        return extrapolated_rate(points, t - range_ms, t, range_ms, true, true);
      case PromqlFunction::kIncrease:
        return extrapolated_rate(points, t - range_ms, t, range_ms, true, false);
      case PromqlFunction::kDelta:
        return extrapolated_rate(points, t - range_ms, t, range_ms, false, false);
      case PromqlFunction::kIrate:
        return instant_rate(points);
      default:
        break;
    }
    if (points.empty()) return std::nullopt;
    if (f == PromqlFunction::kChanges || f == PromqlFunction::kResets) {
      // As Prometheus's funcChanges/funcResets: two NaNs in a row are no change.
      int count = 0;
      for (std::size_t i = 1; i < points.size(); ++i) {
        double const previous = points[i - 1].value, current = points[i].value;
        if (f == PromqlFunction::kResets ? current < previous
                                         : current != previous && !(std::isnan(current) && std::isnan(previous)))
          ++count;
      }
      return count;
    }
    if (f == PromqlFunction::kAvgOverTime) {
      KahanSum sum;
      for (Point const& p : points) sum.add(p.value);
      return sum.value() / static_cast<double>(points.size());
    }
    double result = points[0].value;
    for (Point const& p : points) {
      // As Prometheus: a NaN is replaced by any later number.
      if (f == PromqlFunction::kMaxOverTime ? (p.value > result || std::isnan(result))
                                            : (p.value < result || std::isnan(result))) {
        result = p.value;
      }
    }
    return result;
  }

  static Vector histogram_quantile(double q, Vector const& input) {
    // Buckets of one histogram share all labels but le (and the metric name, which is dropped).
    std::map<std::string, std::pair<Labels, std::vector<std::pair<double, double>>>> groups;
    for (VSample const& s : input) {
      auto le = std::find_if(s.labels.begin(), s.labels.end(), [](Label const& l) { return l.name == "le"; });
      if (le == s.labels.end()) continue;
      auto bound = parse_prometheus_float(le->value);
      if (!bound) continue;  // Prometheus skips a bucket with a bad le (with a warning)
      Labels labels;
      for (Label const& l : s.labels) {
        if (l.name != "le" && l.name != kNameLabel) labels.push_back(l);
      }
      auto& group = groups[full_key(labels)];
      if (group.second.empty()) group.first = std::move(labels);
      group.second.emplace_back(*bound, s.value);
    }
    Vector out;
    for (auto& [key, group] : groups)
      out.push_back({group.first, bucket_quantile(q, std::move(group.second))});
    return out;
  }

  Value eval_aggregation(PromqlExpr const& e, int64_t t) {
    double k = 0;
    if (e.aggregation == PromqlAggregation::kTopk) {
      k = scalar_arg(*e.children[0], t);
      if (std::isnan(k)) throw EvalError{"the k of topk is NaN"};
    }
    Vector input = eval(*e.children.back(), t).vector;
    struct Group {
      Labels labels;
      KahanSum sum;
      double value = 0;
      std::size_t count = 0;
      std::vector<std::size_t> members;  // topk
    };
    std::unordered_map<std::string, std::size_t> index;
    std::vector<Group> groups;
    for (std::size_t i = 0; i < input.size(); ++i) {
      VSample const& s = input[i];
      std::string key =
          e.without ? signature(s.labels, false, e.grouping) : signature(s.labels, true, e.grouping);
      auto [it, inserted] = index.try_emplace(std::move(key), groups.size());
      if (inserted) {
        Group g;
        for (Label const& l : s.labels) {
          bool listed = contains(e.grouping, l.name);
          if (e.without ? (!listed && l.name != kNameLabel) : listed) g.labels.push_back(l);
        }
        g.value = s.value;
        groups.push_back(std::move(g));
      }
      Group& g = groups[it->second];
      ++g.count;
      g.sum.add(s.value);
      if (e.aggregation == PromqlAggregation::kMax && (s.value > g.value || std::isnan(g.value)))
        g.value = s.value;
      if (e.aggregation == PromqlAggregation::kMin && (s.value < g.value || std::isnan(g.value)))
        g.value = s.value;
      g.members.push_back(i);
    }
    Value out;
    for (Group& g : groups) {
      switch (e.aggregation) {
        case PromqlAggregation::kSum:
          out.vector.push_back({std::move(g.labels), g.sum.value()});
          break;
        case PromqlAggregation::kAvg:
          out.vector.push_back({std::move(g.labels), g.sum.value() / static_cast<double>(g.count)});
          break;
        case PromqlAggregation::kMin:
        case PromqlAggregation::kMax:
          out.vector.push_back({std::move(g.labels), g.value});
          break;
        case PromqlAggregation::kCount:
          out.vector.push_back({std::move(g.labels), static_cast<double>(g.count)});
          break;
        case PromqlAggregation::kTopk: {
          if (k < 1) break;
          std::size_t keep =
              k >= static_cast<double>(g.members.size()) ? g.members.size() : static_cast<std::size_t>(k);
          // Highest first; NaN ranks lowest, as in Prometheus.
          auto higher = [&](std::size_t a, std::size_t b) {
            double x = input[a].value;
            double y = input[b].value;
            if (std::isnan(y)) return !std::isnan(x);
            return x > y;
          };
          std::partial_sort(g.members.begin(), g.members.begin() + static_cast<std::ptrdiff_t>(keep),
                            g.members.end(), higher);
          for (std::size_t m = 0; m < keep; ++m) out.vector.push_back(input[g.members[m]]);
          break;
        }
      }
    }
    return out;
  }

  static double arithmetic(PromqlBinaryOp op, double l, double r) {
    switch (op) {
      case PromqlBinaryOp::kAdd:
        return l + r;
      case PromqlBinaryOp::kSub:
        return l - r;
      case PromqlBinaryOp::kMul:
        return l * r;
      case PromqlBinaryOp::kDiv:
        return l / r;
      case PromqlBinaryOp::kMod:
        return std::fmod(l, r);
      case PromqlBinaryOp::kPow:
        return std::pow(l, r);
      default:
        break;
    }
    return kNaN;
  }

  static bool compare(PromqlBinaryOp op, double l, double r) {
    switch (op) {
      case PromqlBinaryOp::kEqual:
        return l == r;
      case PromqlBinaryOp::kNotEqual:
        return l != r;
      case PromqlBinaryOp::kGreater:
        return l > r;
      case PromqlBinaryOp::kLess:
        return l < r;
      case PromqlBinaryOp::kGreaterEqual:
        return l >= r;
      case PromqlBinaryOp::kLessEqual:
        return l <= r;
      default:
        break;
    }
    return false;
  }

  static bool is_comparison(PromqlBinaryOp op) {
    return op >= PromqlBinaryOp::kEqual && op <= PromqlBinaryOp::kLessEqual;
  }

  // The value of one element, or nothing if a comparison filters it out.
  static std::optional<double> element(PromqlExpr const& e, double l, double r, double vector_side) {
    if (!is_comparison(e.op)) return arithmetic(e.op, l, r);
    bool keep = compare(e.op, l, r);
    if (e.return_bool) return keep ? 1.0 : 0.0;
    if (!keep) return std::nullopt;
    return vector_side;
  }

  Value eval_binary(PromqlExpr const& e, int64_t t) {
    Value lhs = eval(*e.children[0], t);
    Value rhs = eval(*e.children[1], t);
    bool drop_metric_name = !is_comparison(e.op) || e.return_bool;
    if (lhs.type == PromqlType::kScalar && rhs.type == PromqlType::kScalar) {
      return Value{PromqlType::kScalar, *element(e, lhs.scalar, rhs.scalar, lhs.scalar), {}};
    }
    Value out;
    if (lhs.type == PromqlType::kScalar || rhs.type == PromqlType::kScalar) {
      bool scalar_left = lhs.type == PromqlType::kScalar;
      Vector& vector = scalar_left ? rhs.vector : lhs.vector;
      double scalar = scalar_left ? lhs.scalar : rhs.scalar;
      for (VSample& s : vector) {
        double l = scalar_left ? scalar : s.value;
        double r = scalar_left ? s.value : scalar;
        auto value = element(e, l, r, s.value);
        if (!value) continue;
        s.value = *value;
        if (drop_metric_name) drop_name(s.labels);
        out.vector.push_back(std::move(s));
      }
      check_unique(out.vector);
      return out;
    }
    if (e.op == PromqlBinaryOp::kAnd || e.op == PromqlBinaryOp::kOr || e.op == PromqlBinaryOp::kUnless) {
      return set_operation(e, std::move(lhs.vector), std::move(rhs.vector));
    }
    // One-to-one matching.
    std::unordered_map<std::string, std::size_t> right;
    for (std::size_t i = 0; i < rhs.vector.size(); ++i) {
      auto [it, inserted] = right.try_emplace(signature(rhs.vector[i].labels, e.on, e.grouping), i);
      if (!inserted) {
        throw EvalError{
            "found duplicate series for the match group on the right-hand side of the operation "
            "(many-to-many matching is not allowed)"};
      }
    }
    std::unordered_set<std::string> matched;
    for (VSample& s : lhs.vector) {
      std::string key = signature(s.labels, e.on, e.grouping);
      auto it = right.find(key);
      if (it == right.end()) continue;
      if (!matched.insert(key).second) {
        throw EvalError{
            "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right "
            "are not supported)"};
      }
      auto value = element(e, s.value, rhs.vector[it->second].value, s.value);
      if (!value) continue;
      Labels labels = std::move(s.labels);
      if (drop_metric_name) drop_name(labels);
      if (e.on) {
        labels.erase(std::remove_if(labels.begin(), labels.end(),
                                    [&](Label const& l) { return !contains(e.grouping, l.name); }),
                     labels.end());
      } else {
        labels.erase(std::remove_if(labels.begin(), labels.end(),
                                    [&](Label const& l) { return contains(e.grouping, l.name); }),
                     labels.end());
      }
      out.vector.push_back({std::move(labels), *value});
    }
    check_unique(out.vector);
    return out;
  }

  static Value set_operation(PromqlExpr const& e, Vector lhs, Vector rhs) {
    Value out;
    std::unordered_set<std::string> right;
    for (VSample const& s : rhs) right.insert(signature(s.labels, e.on, e.grouping));
    if (e.op == PromqlBinaryOp::kOr) {
      std::unordered_set<std::string> left;
      for (VSample& s : lhs) {
        left.insert(signature(s.labels, e.on, e.grouping));
        out.vector.push_back(std::move(s));
      }
      for (VSample& s : rhs) {
        if (!left.count(signature(s.labels, e.on, e.grouping))) out.vector.push_back(std::move(s));
      }
      return out;
    }
    bool want = e.op == PromqlBinaryOp::kAnd;
    for (VSample& s : lhs) {
      if (right.count(signature(s.labels, e.on, e.grouping)) == static_cast<std::size_t>(want)) {
        out.vector.push_back(std::move(s));
      }
    }
    return out;
  }

  SeriesStore::Reader const& reader_;
  std::unordered_map<PromqlExpr const*, std::vector<Selected>> selections_;
  std::vector<LabelView> views_;
  std::vector<Point> points_;
};

void sort_samples(std::vector<PromqlSample>& v) {
  std::sort(v.begin(), v.end(),
            [](PromqlSample const& a, PromqlSample const& b) { return labels_less(a.labels, b.labels); });
}

}  // namespace

double bucket_quantile(double q, std::vector<std::pair<double, double>> buckets) {
  if (std::isnan(q)) return kNaN;
  if (q < 0) return -kInf;
  if (q > 1) return kInf;
  if (buckets.empty()) return kNaN;
  std::sort(buckets.begin(), buckets.end(), [](auto const& a, auto const& b) { return a.first < b.first; });
  if (!(std::isinf(buckets.back().first) && buckets.back().first > 0)) return kNaN;
  // coalesceBuckets: buckets with the same upper bound are added up.
  std::size_t n = 0;
  for (std::size_t i = 1; i < buckets.size(); ++i) {
    if (buckets[i].first == buckets[n].first) {
      buckets[n].second += buckets[i].second;
    } else {
      buckets[++n] = buckets[i];
    }
  }
  buckets.resize(n + 1);
  // correctPrecisionErrors (tolerance 1e-12), then ensureMonotonic: counts must not decrease.
  double previous = buckets[0].second;
  for (std::size_t i = 1; i < buckets.size(); ++i) {
    double current = buckets[i].second;
    double delta = std::fabs(current - previous);
    if (delta == 0) continue;
    if (delta / current <= 1e-12) {
      buckets[i].second = previous;
    } else {
      previous = current;
    }
  }
  double highest = buckets[0].second;
  for (std::size_t i = 1; i < buckets.size(); ++i) {
    if (buckets[i].second > highest) {
      highest = buckets[i].second;
    } else if (buckets[i].second < highest) {
      buckets[i].second = highest;
    }
  }
  if (buckets.size() < 2) return kNaN;
  double observations = buckets.back().second;
  if (observations == 0) return kNaN;
  double rank = q * observations;
  // sort.Search over all but the +Inf bucket: the first bucket whose count reaches the rank.
  std::size_t b = 0;
  for (std::size_t hi = buckets.size() - 1; b < hi;) {
    std::size_t mid = b + (hi - b) / 2;
    if (!(buckets[mid].second >= rank)) {
      b = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (b == buckets.size() - 1) return buckets[buckets.size() - 2].first;
  if (b == 0 && buckets[0].first <= 0) return buckets[0].first;
  double bucket_start = 0;
  double bucket_end = buckets[b].first;
  double count = buckets[b].second;
  if (b > 0) {
    bucket_start = buckets[b - 1].first;
    count -= buckets[b - 1].second;
    rank -= buckets[b - 1].second;
  }
  return bucket_start + (bucket_end - bucket_start) * (rank / count);
}

InstantResult evaluate_instant(SeriesStore const& store, PromqlExpr const& expr, int64_t t_ms) {
  InstantResult result;
  try {
    auto reader = store.read();
    Evaluator evaluator(reader);
    Value v = evaluator.eval(expr, t_ms);
    result.type = v.type;
    result.scalar = v.scalar;
    result.vector.reserve(v.vector.size());
    for (VSample& s : v.vector) result.vector.push_back({std::move(s.labels), s.value});
    sort_samples(result.vector);
  } catch (EvalError const& error) {
    result.error = error.message;
  }
  return result;
}

InstantResult evaluate_instant(SeriesStore const& store, std::string_view expr, int64_t t_ms) {
  auto parsed = parse_promql(expr);
  if (!parsed.ok()) {
    InstantResult result;
    result.error = parsed.error->to_string();
    return result;
  }
  return evaluate_instant(store, *parsed.expr, t_ms);
}

RangeResult evaluate_range(SeriesStore const& store, PromqlExpr const& expr, int64_t start_ms, int64_t end_ms,
                           int64_t step_ms) {
  RangeResult result;
  result.type = expr.type;
  if (step_ms <= 0) {
    result.error = "the step must be positive";
    return result;
  }
  if (end_ms < start_ms) {
    result.error = "the end of the range is before its start";
    return result;
  }
  // Prometheus's limit too: a chart never needs more points than this.
  if ((end_ms - start_ms) / step_ms >= 11'000) {
    result.error = "too many points in the range (more than 11000): use a larger step";
    return result;
  }
  try {
    auto reader = store.read();
    Evaluator evaluator(reader);
    std::unordered_map<std::string, std::size_t> index;
    for (int64_t t = start_ms; t <= end_ms; t += step_ms) {
      Value v = evaluator.eval(expr, t);
      if (v.type == PromqlType::kScalar) {
        if (result.series.empty()) result.series.emplace_back();
        result.series[0].points.push_back({t, v.scalar});
        continue;
      }
      for (VSample& s : v.vector) {
        auto [it, inserted] = index.try_emplace(full_key(s.labels), result.series.size());
        if (inserted) result.series.push_back({std::move(s.labels), {}});
        result.series[it->second].points.push_back({t, s.value});
      }
    }
    std::sort(result.series.begin(), result.series.end(),
              [](PromqlSeries const& a, PromqlSeries const& b) { return labels_less(a.labels, b.labels); });
  } catch (EvalError const& error) {
    result.series.clear();
    result.error = error.message;
  }
  return result;
}

RangeResult evaluate_range(SeriesStore const& store, std::string_view expr, int64_t start_ms, int64_t end_ms,
                           int64_t step_ms) {
  auto parsed = parse_promql(expr);
  if (!parsed.ok()) {
    RangeResult result;
    result.error = parsed.error->to_string();
    return result;
  }
  return evaluate_range(store, *parsed.expr, start_ms, end_ms, step_ms);
}

}  // namespace prodmcp::console::metrics
