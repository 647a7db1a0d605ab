#include "metrics_page.hpp"

#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace prodmcp::console {

MetricsPage::MetricsPage(ConsoleSession& session, QWidget* parent) : QWidget(parent), session_(session) {
  auto* layout = new QVBoxLayout(this);
  auto* toolbar = new QHBoxLayout;
  window_box_ = new QComboBox;
  for (int minutes : {1, 5, 15, 60}) window_box_->addItem(tr("last %n min", nullptr, minutes), minutes);
  window_box_->setCurrentIndex(1);
  pause_box_ = new QCheckBox(tr("Pause"));
  auto* export_button = new QPushButton(tr("Export PNG + CSV…"));
  status_label_ = new QLabel;
  toolbar->addWidget(new QLabel(tr("Window:")));
  toolbar->addWidget(window_box_);
  toolbar->addWidget(pause_box_);
  toolbar->addWidget(export_button);
  toolbar->addStretch();
  toolbar->addWidget(status_label_);
  layout->addLayout(toolbar);

  auto* grid_host = new QWidget;
  auto* grid = new QGridLayout(grid_host);
  grid->setSpacing(6);
  int index = 0;
  auto add_chart = [&](ChartSpec const& spec) {
    auto* chart = new TimeSeriesChart(spec);
    chart->setMinimumHeight(230);
    grid->addWidget(chart, index / 3, index % 3);
    connect(chart, &TimeSeriesChart::range_selected, this, &MetricsPage::range_selected);
    charts_.append(chart);
    ++index;
    return chart;
  };
  for (auto const& spec : chart_catalog()) add_chart(spec);
  // Through a gateway, the same story per upstream server, on a row of its own (shown only while
  // there is one).
  index = (index + 2) / 3 * 3;
  for (auto const& spec : upstream_charts()) {
    auto* chart = add_chart(spec);
    chart->setVisible(false);
    upstream_charts_.append(chart);
  }
  connect(&session.upstreams(), &UpstreamMonitor::updated, this, [this] {
    bool const gateway = !session_.upstreams().upstreams().isEmpty();
    for (auto* chart : upstream_charts_) chart->setVisible(gateway);
  });
  for (int column = 0; column < 3; ++column) grid->setColumnStretch(column, 1);
  auto* scroll = new QScrollArea;
  scroll->setWidget(grid_host);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  layout->addWidget(scroll, 1);

  connect(window_box_, &QComboBox::currentIndexChanged, this, &MetricsPage::redraw);
  connect(pause_box_, &QCheckBox::toggled, this, &MetricsPage::set_paused);
  connect(export_button, &QPushButton::clicked, this, [this] {
    auto const directory = QFileDialog::getExistingDirectory(this, tr("Export charts to"));
    if (!directory.isEmpty())
      status_label_->setText(tr("%n files written to %1", nullptr, export_all(directory)).arg(directory));
  });
  // Redraw once a second however often data arrives.
  redraw_timer_.setInterval(1000);
  connect(&redraw_timer_, &QTimer::timeout, this, &MetricsPage::redraw);
  redraw_timer_.start();
}

TimeSeriesChart* MetricsPage::chart(QString const& id) const {
  for (auto* chart : charts_)
    if (chart->spec().id == id) return chart;
  return nullptr;
}

std::chrono::seconds MetricsPage::window() const { return std::chrono::minutes(window_box_->currentData().toInt()); }

void MetricsPage::set_window_minutes(int minutes) {
  int const index = window_box_->findData(minutes);
  if (index >= 0) window_box_->setCurrentIndex(index);
}

void MetricsPage::set_paused(bool paused) {
  pause_box_->setChecked(paused);
  paused_end_ms_ = paused ? session_.now_ms() : 0;
  redraw();
}

void MetricsPage::redraw() {
  if (!isVisible()) return;  // drawn when shown: hidden charts cost nothing
  qint64 const end = paused_end_ms_ ? paused_end_ms_ : session_.now_ms();
  auto const span = window();
  qint64 const begin = end - std::chrono::duration_cast<std::chrono::milliseconds>(span).count();
  for (auto* chart : charts_) chart->set_lines(session_.chart_lines(chart->spec(), span, end), begin, end);
  auto const& report = session_.scraper().last_report();
  if (report.time_ms == 0) {
    status_label_->setText(tr("no scrape yet"));
  } else if (report.ok) {
    status_label_->setText(tr("scraped %1: %2 series, parsed and stored in %3 ms")
                               .arg(QDateTime::fromMSecsSinceEpoch(report.time_ms).toString("hh:mm:ss"))
                               .arg(report.series)
                               .arg(report.parse_store_ms, 0, 'f', 2));
  } else {
    status_label_->setText(tr("scrape failed: %1").arg(report.error));
  }
  status_label_->setToolTip(status_label_->text());
}

int MetricsPage::export_all(QString const& directory) {
  int written = 0;
  QDir const dir(directory);
  for (auto* chart : charts_) {
    if (chart->isHidden()) continue;  // the upstream charts of a server that fronts none
    written += chart->export_png(dir.filePath(chart->spec().id + ".png")) ? 1 : 0;
    written += chart->export_csv(dir.filePath(chart->spec().id + ".csv")) ? 1 : 0;
  }
  return written;
}

// A moment older than the window pauses the charts with that moment in the middle.
void MetricsPage::mark_time(qint64 time_ms) {
  qint64 const now = session_.now_ms();
  qint64 const window_ms = std::chrono::duration_cast<std::chrono::milliseconds>(window()).count();
  if (time_ms < now - window_ms) {
    pause_box_->blockSignals(true);
    pause_box_->setChecked(true);
    pause_box_->blockSignals(false);
    paused_end_ms_ = std::min(now, time_ms + window_ms / 2);
  }
  for (auto* chart : charts_) chart->mark_time(time_ms);
  redraw();
}

}  // namespace prodmcp::console
