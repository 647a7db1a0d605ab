#pragma once
// The charts the console draws, as PromQL over the scraped series: what a chart shows is written
// down once, readable in its tooltip, and evaluated by the same engine as the alert rules.
// "$__rate_interval" stands for a rate window that suits the chart's time window.
#include <QList>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <chrono>
#include <vector>

namespace prodmcp::console {

enum class ChartUnit { kPerSecond, kRatio, kSeconds, kCount, kPercent, kBytes };

struct ChartQuery {
  QString legend;  // a fixed name, or "{{label}}" to name each series by that label's value
  QString expr;
};

struct ChartSpec {
  QString id;  // stable, for exports and tests
  QString title;
  ChartUnit unit = ChartUnit::kCount;
  std::vector<ChartQuery> queries;
  bool bars = false;  // a ranking over the whole window instead of a line over time
};

// One evaluated line of a chart.
struct ChartLine {
  QString name;
  QList<QPointF> points;  // x: ms since the epoch; y: value
};

std::vector<ChartSpec> const& chart_catalog();
// The overview's key numbers: one single-line chart each, drawn as a number with a sparkline.
std::vector<ChartSpec> const& overview_tiles();
// The Upstreams page's charts: the gateway's calls to each upstream.
std::vector<ChartSpec> const& upstream_charts();
ChartSpec const* find_chart(QString const& id);

// The rate window for a chart covering `window`: wide enough to hold several scrapes, narrow
// enough to show a spike.
std::chrono::seconds rate_interval_for(std::chrono::seconds window);
// `expr` with $__rate_interval and $__range replaced for this window.
QString expand_chart_expr(QString expr, std::chrono::seconds window);
// A value in the unit, short: "12.3/s", "4.5%", "230 ms", "1.2 GiB".
QString format_chart_value(double value, ChartUnit unit);

}  // namespace prodmcp::console
