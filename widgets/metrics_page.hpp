#pragma once
// The charts: every entry of the chart catalog for the chosen time window (1, 5, 15, 60 min),
// redrawn on a timer independent of the scrape rate; pause, export, and a dragged time range
// that narrows the logs and events.
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QTimer>
#include <QWidget>
#include <chrono>

#include "console_session.hpp"
#include "time_series_chart.hpp"

namespace prodmcp::console {

class MetricsPage : public QWidget {
  Q_OBJECT
 public:
  explicit MetricsPage(ConsoleSession& session, QWidget* parent = nullptr);

  QList<TimeSeriesChart*> const& charts() const { return charts_; }
  TimeSeriesChart* chart(QString const& id) const;
  std::chrono::seconds window() const;
  void set_window_minutes(int minutes);
  void set_paused(bool paused);
  // Writes NAME.png and NAME.csv for every chart into `directory`; the number of files written.
  int export_all(QString const& directory);
  // Marks this moment on every chart (the pivot from a log line) and shows it.
  void mark_time(qint64 time_ms);

 public slots:
  void redraw();

 signals:
  void range_selected(qint64 from_ms, qint64 to_ms);

 protected:
  void showEvent(QShowEvent* event) override {
    QWidget::showEvent(event);
    redraw();
  }

 private:
  ConsoleSession& session_;
  QTimer redraw_timer_;
  QComboBox* window_box_;
  QCheckBox* pause_box_;
  QLabel* status_label_;
  QList<TimeSeriesChart*> charts_;
  QList<TimeSeriesChart*> upstream_charts_;  // also in charts_; shown while the server is a gateway
  qint64 paused_end_ms_ = 0;
};

}  // namespace prodmcp::console
