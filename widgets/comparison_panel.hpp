#pragma once
// The Demo page's before and after: pick one of the servers the gateway fronts, the tools to call
// (with arguments from their schemas, editable), a rate and a duration, and optionally a kill of
// the prototype halfway; the console sends that load to the prototype directly, then through the
// gateway, and shows both side by side: throughput, errors and latency over time, the figures,
// and what the gateway did (429s, cache hits, retries, its breaker, restarts).
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QTimer>
#include <QWidget>
#include <optional>

#include "console_session.hpp"
#include "upstreams/launched_upstreams.hpp"

namespace prodmcp::console {

class TimeSeriesChart;

class ComparisonPanel : public QWidget {
  Q_OBJECT
 public:
  enum ToolColumn { kToolName, kToolArguments, kToolExposedAs, kToolColumnCount };
  enum ChartRow { kThroughputRow, kErrorsRow, kLatencyRow, kChartRowCount };
  enum Side { kDirectSide, kGatewaySide };

  explicit ComparisonPanel(ConsoleSession& session, QWidget* parent = nullptr);

  QComboBox* upstream_box() const { return upstream_box_; }
  QLabel* target_label() const { return target_label_; }
  QTableWidget* tools_table() const { return tools_; }
  QSpinBox* rate_box() const { return rate_; }
  QSpinBox* duration_box() const { return duration_; }
  QCheckBox* kill_box() const { return kill_; }
  QCheckBox* anonymous_box() const { return anonymous_; }
  QPushButton* run_button() const { return run_; }
  QLabel* status_label() const { return status_; }
  QLabel* headline_label() const { return headline_; }
  QTableWidget* figures_table() const { return figures_; }
  TimeSeriesChart* chart(ChartRow row, Side side) const { return charts_[row][side]; }
  // The figures table's value for a row whose first cell is `figure`, on one side.
  QString figure(QString const& figure, Side side) const;

 public slots:
  // The servers the gateway fronts, as launched; lists the chosen one's tools from the prototype.
  void refresh_upstreams();

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  void list_tools();
  void fill_tools(QJsonArray const& tools);
  void count_ticked();
  void run_or_stop();
  std::optional<ComparisonPlan> plan(QString& error) const;
  void show_progress();
  void show_figures();
  void set_figure_rows(QList<QStringList> const& rows);

  ConsoleSession& session_;
  LaunchedUpstreams launched_;
  QComboBox* upstream_box_;
  QLabel* target_label_;
  QLabel* tools_label_;
  QTableWidget* tools_;
  QSpinBox* rate_;
  QSpinBox* duration_;
  QSpinBox* in_flight_;
  QCheckBox* anonymous_;
  QCheckBox* kill_;
  QPushButton* run_;
  QLabel* status_;
  QLabel* headline_;
  QTableWidget* figures_;
  TimeSeriesChart* charts_[kChartRowCount][2] = {};
  QTimer refresh_;
  QString listed_for_;  // the upstream whose tools the table shows
};

}  // namespace prodmcp::console
