#include "metrics/queries.hpp"

#include <QRegularExpression>
#include <algorithm>

#include "metrics/promql.hpp"

namespace prodmcp::console {
namespace {

constexpr int kPointsPerChart = 240;
constexpr qint64 kMinStepMs = 1000;

QString label_value(std::vector<metrics::Label> const& labels, QString const& name) {
  auto const key = name.toStdString();
  for (auto const& label : labels)
    if (label.name == key) return QString::fromStdString(label.value);
  return {};
}

// "{{method}}" -> the series' method; a fixed legend stays as it is. Label values are inserted as
// they are, never expanded again.
QString legend_for(QString const& legend, std::vector<metrics::Label> const& labels) {
  static QRegularExpression const label_reference(QStringLiteral(R"(\{\{(\w+)\}\})"));
  QString name;
  qsizetype copied = 0;
  for (auto it = label_reference.globalMatch(legend); it.hasNext();) {
    auto const match = it.next();
    QString const value = label_value(labels, match.captured(1));
    name += legend.mid(copied, match.capturedStart() - copied);
    name += value.isEmpty() ? QStringLiteral("(none)") : value;
    copied = match.capturedEnd();
  }
  return name + legend.mid(copied);
}

QString labels_text(std::vector<metrics::Label> const& labels) {
  QStringList parts;
  for (auto const& label : labels)
    if (label.name != "__name__") parts << QString::fromStdString(label.name + "=" + label.value);
  return parts.join(", ");
}

}  // namespace

QList<ChartLine> evaluate_chart(metrics::SeriesStore const& store, ChartSpec const& spec, std::chrono::seconds window,
                                qint64 end_ms) {
  qint64 const window_ms = std::chrono::duration_cast<std::chrono::milliseconds>(window).count();
  qint64 const step = std::max(kMinStepMs, window_ms / kPointsPerChart);
  // Steps on a grid, so the points of successive redraws line up and lines do not shimmer.
  qint64 const end = end_ms - end_ms % step;
  QList<ChartLine> lines;
  for (auto const& query : spec.queries) {
    auto const expr = expand_chart_expr(query.expr, window).toStdString();
    if (spec.bars) {
      auto const result = metrics::evaluate_instant(store, expr, end_ms);
      for (auto const& sample : result.vector)
        lines.append({legend_for(query.legend, sample.labels), {QPointF(double(end_ms), sample.value)}});
      continue;
    }
    auto const result = metrics::evaluate_range(store, expr, end - window_ms, end, step);
    for (auto const& series : result.series) {
      ChartLine line{legend_for(query.legend, series.labels), {}};
      line.points.reserve(qsizetype(series.points.size()));
      for (auto const& point : series.points) line.points.append(QPointF(double(point.t_ms), point.value));
      lines.append(std::move(line));
    }
  }
  return lines;
}

std::optional<std::vector<QueryAnswer>> instant_query(metrics::SeriesStore const& store, std::string const& expr,
                                                      qint64 time_ms, QString& error) {
  auto const result = metrics::evaluate_instant(store, expr, time_ms);
  if (!result.ok()) {
    error = QString::fromStdString(result.error);
    return std::nullopt;
  }
  std::vector<QueryAnswer> answers;
  if (result.type == metrics::PromqlType::kScalar) {
    answers.push_back({QString(), result.scalar});
    return answers;
  }
  for (auto const& sample : result.vector) answers.push_back({labels_text(sample.labels), sample.value});
  return answers;
}

}  // namespace prodmcp::console
