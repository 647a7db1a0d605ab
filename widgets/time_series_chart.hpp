#pragma once
// One live chart: lines over time (or a ranking as horizontal bars), hover tooltips with the value
// under the mouse, drag to select a time range (the pivot to logs and events), export to PNG/CSV.
#include <QChartView>
#include <QDateTimeAxis>
#include <QLineSeries>
#include <QRubberBand>
#include <QValueAxis>

#include "metrics/chart_catalog.hpp"

namespace prodmcp::console {

class TimeSeriesChart : public QChartView {
  Q_OBJECT
 public:
  explicit TimeSeriesChart(ChartSpec spec, QWidget* parent = nullptr);

  ChartSpec const& spec() const { return spec_; }
  // Lines over [from_ms, to_ms]; for a bar chart, each line's last value is its bar.
  void set_lines(QList<ChartLine> lines, qint64 from_ms, qint64 to_ms);
  QList<ChartLine> const& lines() const { return lines_; }
  // The newest value of each line ("p95: 12 ms"), for the overview and tests.
  QString latest_values() const;
  bool export_png(QString const& path);
  bool export_csv(QString const& path) const;
  // The value axis reaches at least this high (in the spec's unit), so charts set side by side
  // share one scale; 0 lets each fit its own lines.
  void set_minimum_top(double value) { minimum_top_ = value; }
  // A vertical marker at this time (the pivot from a log line); 0 removes it.
  void mark_time(qint64 time_ms);

 signals:
  void range_selected(qint64 from_ms, qint64 to_ms);

 protected:
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;

 private:
  void rebuild_series();
  void update_bars();
  qint64 time_at(int x) const;

  ChartSpec spec_;
  QList<ChartLine> lines_;
  QDateTimeAxis* time_axis_ = nullptr;
  QValueAxis* value_axis_ = nullptr;
  QList<QLineSeries*> series_;
  QLineSeries* marker_ = nullptr;
  QRubberBand* band_ = nullptr;
  int drag_start_x_ = -1;
  qint64 marked_ms_ = 0;
  double minimum_top_ = 0;
};

}  // namespace prodmcp::console
