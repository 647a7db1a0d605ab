#pragma once
// The console's two uses of the PromQL engine: chart lines over a window, and instant answers for
// the alert rules, in the shapes the charts and the alert evaluator take.
#include <QString>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "alerts/alert_evaluator.hpp"
#include "metrics/chart_catalog.hpp"
#include "metrics/series_store.hpp"

namespace prodmcp::console {

// Every query of the chart over [end - window, end], one point per step (window / 240, at least
// the 1 s scrape interval); a query's series are named by its legend.
QList<ChartLine> evaluate_chart(metrics::SeriesStore const& store, ChartSpec const& spec, std::chrono::seconds window,
                                qint64 end_ms);

std::optional<std::vector<QueryAnswer>> instant_query(metrics::SeriesStore const& store, std::string const& expr,
                                                      qint64 time_ms, QString& error);

}  // namespace prodmcp::console
