#include "time_series_chart.hpp"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QDateTime>
#include <QFile>
#include <QHorizontalBarSeries>
#include <QLegendMarker>
#include <QMouseEvent>
#include <QTextStream>
#include <QToolTip>
#include <algorithm>
#include <cmath>

namespace prodmcp::console {
namespace {

// A value axis top with some headroom, on a round number.
double nice_top(double max) {
  if (!(max > 0)) return 1;
  double const magnitude = std::pow(10.0, std::floor(std::log10(max)));
  for (double step : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (max * 1.1 <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

// Axes read better in the unit people think in: ms, MiB, percent.
struct DisplayScale {
  double factor;
  char const* axis_title;
};
DisplayScale display_scale(ChartUnit unit) {
  switch (unit) {
    case ChartUnit::kSeconds: return {1000, "ms"};
    case ChartUnit::kBytes: return {1.0 / (1 << 20), "MiB"};
    case ChartUnit::kRatio: return {100, "%"};
    case ChartUnit::kPercent: return {1, "% of a core"};
    case ChartUnit::kPerSecond: return {1, "per second"};
    case ChartUnit::kCount: return {1, ""};
  }
  return {1, ""};
}

}  // namespace

TimeSeriesChart::TimeSeriesChart(ChartSpec spec, QWidget* parent) : QChartView(parent), spec_(std::move(spec)) {
  auto* chart = new QChart;
  chart->setTitle(spec_.title);
  chart->setMargins(QMargins(4, 4, 4, 4));
  chart->legend()->setAlignment(Qt::AlignBottom);
  chart->setAnimationOptions(QChart::NoAnimation);
  setChart(chart);
  setRenderHint(QPainter::Antialiasing);
  setMinimumHeight(200);
  QStringList queries;
  for (auto const& query : spec_.queries) queries << query.legend + ": " + query.expr;
  setToolTip(queries.join("\n"));
  if (!spec_.bars) {
    time_axis_ = new QDateTimeAxis;
    time_axis_->setFormat("hh:mm:ss");
    time_axis_->setTickCount(5);
    value_axis_ = new QValueAxis;
    value_axis_->setLabelFormat("%.3g");
    value_axis_->setTitleText(display_scale(spec_.unit).axis_title);
    QFont small = value_axis_->titleFont();
    small.setPointSizeF(small.pointSizeF() * 0.8);
    small.setBold(false);
    value_axis_->setTitleFont(small);
    chart->addAxis(time_axis_, Qt::AlignBottom);
    chart->addAxis(value_axis_, Qt::AlignLeft);
    band_ = new QRubberBand(QRubberBand::Rectangle, this);
  }
}

void TimeSeriesChart::set_lines(QList<ChartLine> lines, qint64 from_ms, qint64 to_ms) {
  std::sort(lines.begin(), lines.end(), [](ChartLine const& a, ChartLine const& b) { return a.name < b.name; });
  bool const same_series =
      lines.size() == lines_.size() && std::equal(lines.begin(), lines.end(), lines_.begin(),
                                                  [](ChartLine const& a, ChartLine const& b) { return a.name == b.name; });
  lines_ = std::move(lines);
  if (spec_.bars) {
    update_bars();
    return;
  }
  if (!same_series) rebuild_series();
  double const scale = display_scale(spec_.unit).factor;
  double max = minimum_top_ * scale;
  QList<QPointF> shown;
  for (qsizetype i = 0; i < lines_.size(); ++i) {
    shown.resize(lines_[i].points.size());
    for (qsizetype j = 0; j < shown.size(); ++j) {
      shown[j] = QPointF(lines_[i].points[j].x(), lines_[i].points[j].y() * scale);
      if (std::isfinite(shown[j].y())) max = std::max(max, shown[j].y());
    }
    series_[i]->replace(shown);
  }
  time_axis_->setRange(QDateTime::fromMSecsSinceEpoch(from_ms), QDateTime::fromMSecsSinceEpoch(to_ms));
  // A ratio never needs more than 100%.
  value_axis_->setRange(0, spec_.unit == ChartUnit::kRatio ? std::min(nice_top(max), 100.0) : nice_top(max));
  if (marker_ && marked_ms_) marker_->replace({QPointF(marked_ms_, 0), QPointF(marked_ms_, value_axis_->max())});
}

void TimeSeriesChart::rebuild_series() {
  for (auto* series : series_) chart()->removeSeries(series), delete series;
  series_.clear();
  for (auto const& line : lines_) {
    auto* series = new QLineSeries;
    series->setName(line.name);
    chart()->addSeries(series);
    series->attachAxis(time_axis_);
    series->attachAxis(value_axis_);
    connect(series, &QLineSeries::hovered, this, [this, series](QPointF const& point, bool state) {
      if (!state) return QToolTip::hideText();
      QToolTip::showText(QCursor::pos(), QStringLiteral("%1 at %2: %3")
                                              .arg(series->name(),
                                                   QDateTime::fromMSecsSinceEpoch(qint64(point.x())).toString("hh:mm:ss"),
                                                   format_chart_value(point.y() / display_scale(spec_.unit).factor,
                                                                      spec_.unit)));
    });
    series_.append(series);
  }
}

void TimeSeriesChart::update_bars() {
  chart()->removeAllSeries();
  for (auto* axis : chart()->axes()) chart()->removeAxis(axis), delete axis;
  auto* set = new QBarSet(spec_.title);
  QStringList names;
  QList<ChartLine> ranked = lines_;
  std::sort(ranked.begin(), ranked.end(), [](ChartLine const& a, ChartLine const& b) {
    double const va = a.points.isEmpty() ? 0 : a.points.last().y(), vb = b.points.isEmpty() ? 0 : b.points.last().y();
    return va < vb;  // the largest on top
  });
  double max = 0;
  for (auto const& line : ranked) {
    // increase() extrapolates to the window's edges: whole calls read better.
    double const value =
        line.points.isEmpty() || !std::isfinite(line.points.last().y()) ? 0 : std::round(line.points.last().y());
    *set << value;
    names << line.name;
    max = std::max(max, value);
  }
  auto* series = new QHorizontalBarSeries;
  series->append(set);
  series->setLabelsVisible(true);
  series->setLabelsFormat("@value");
  series->setLabelsPrecision(12);
  chart()->addSeries(series);
  auto* categories = new QBarCategoryAxis;
  categories->append(names);
  auto* values = new QValueAxis;
  values->setRange(0, nice_top(max));
  values->setLabelFormat("%.0f");
  chart()->addAxis(categories, Qt::AlignLeft);
  chart()->addAxis(values, Qt::AlignBottom);
  series->attachAxis(categories);
  series->attachAxis(values);
  chart()->legend()->hide();
}

QString TimeSeriesChart::latest_values() const {
  QStringList parts;
  for (auto const& line : lines_) {
    if (line.points.isEmpty()) continue;
    parts << line.name + ": " + format_chart_value(line.points.last().y(), spec_.unit);
  }
  return parts.join(", ");
}

bool TimeSeriesChart::export_png(QString const& path) { return grab().save(path, "PNG"); }

bool TimeSeriesChart::export_csv(QString const& path) const {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) return false;
  QTextStream out(&file);
  out << "series,time,value\n";
  for (auto const& line : lines_) {
    QString name = line.name;
    name.replace('"', "\"\"");
    for (auto const& point : line.points)
      out << '"' << name << "\"," << QDateTime::fromMSecsSinceEpoch(qint64(point.x())).toUTC().toString(Qt::ISODateWithMs)
          << ',' << QString::number(point.y(), 'g', 10) << '\n';
  }
  return out.status() == QTextStream::Ok;
}

void TimeSeriesChart::mark_time(qint64 time_ms) {
  marked_ms_ = time_ms;
  if (spec_.bars) return;
  if (!marker_) {
    marker_ = new QLineSeries;
    marker_->setName(tr("selected"));
    marker_->setPen(QPen(QColor(0x15, 0x65, 0xc0), 1, Qt::DashLine));
    chart()->addSeries(marker_);
    marker_->attachAxis(time_axis_);
    marker_->attachAxis(value_axis_);
    chart()->legend()->markers(marker_).value(0)->setVisible(false);
  }
  if (time_ms == 0) marker_->clear();
  else marker_->replace({QPointF(time_ms, 0), QPointF(time_ms, value_axis_->max())});
}

qint64 TimeSeriesChart::time_at(int x) const {
  return qint64(chart()->mapToValue(chart()->mapFromScene(mapToScene(QPoint(x, 0)))).x());
}

void TimeSeriesChart::mousePressEvent(QMouseEvent* event) {
  if (band_ && event->button() == Qt::LeftButton && chart()->plotArea().contains(event->position())) {
    drag_start_x_ = int(event->position().x());
    band_->setGeometry(QRect(drag_start_x_, int(chart()->plotArea().top()), 0, int(chart()->plotArea().height())));
    band_->show();
  }
  QChartView::mousePressEvent(event);
}

void TimeSeriesChart::mouseMoveEvent(QMouseEvent* event) {
  if (drag_start_x_ >= 0) {
    int const x = int(std::clamp(event->position().x(), chart()->plotArea().left(), chart()->plotArea().right()));
    band_->setGeometry(QRect(QPoint(std::min(x, drag_start_x_), int(chart()->plotArea().top())),
                             QSize(std::abs(x - drag_start_x_), int(chart()->plotArea().height()))));
  }
  QChartView::mouseMoveEvent(event);
}

void TimeSeriesChart::mouseReleaseEvent(QMouseEvent* event) {
  if (drag_start_x_ >= 0) {
    band_->hide();
    int const end_x = int(event->position().x());
    if (std::abs(end_x - drag_start_x_) > 3) {
      qint64 const a = time_at(drag_start_x_), b = time_at(end_x);
      emit range_selected(std::min(a, b), std::max(a, b));
    }
    drag_start_x_ = -1;
  }
  QChartView::mouseReleaseEvent(event);
}

}  // namespace prodmcp::console
