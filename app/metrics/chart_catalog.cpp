#include "metrics/chart_catalog.hpp"

#include <cmath>

namespace prodmcp::console {

std::vector<ChartSpec> const& chart_catalog() {
  static std::vector<ChartSpec> const charts{
      {"request_rate", "Requests/s by method", ChartUnit::kPerSecond,
       {{"{{method}}", "sum by (method) (rate(mcp_requests_total[$__rate_interval]))"}}},
      {"error_ratio", "Error ratio", ChartUnit::kRatio,
       {{"errors", R"(sum(rate(mcp_requests_total{status="error"}[$__rate_interval])) / sum(rate(mcp_requests_total[$__rate_interval])))"}}},
      {"latency", "Latency quantiles", ChartUnit::kSeconds,
       {{"p50", "histogram_quantile(0.5, sum by (le) (rate(mcp_request_duration_seconds_bucket[$__rate_interval])))"},
        {"p95", "histogram_quantile(0.95, sum by (le) (rate(mcp_request_duration_seconds_bucket[$__rate_interval])))"},
        {"p99", "histogram_quantile(0.99, sum by (le) (rate(mcp_request_duration_seconds_bucket[$__rate_interval])))"}}},
      {"connections", "Connections and sessions", ChartUnit::kCount,
       {{"connections", "mcp_active_connections"}, {"sessions", "mcp_sessions"}}},
      {"cpu", "CPU", ChartUnit::kPercent, {{"server", "mcp_cpu_usage_percent"}}},
      {"memory", "Resident memory", ChartUnit::kBytes, {{"server", "mcp_memory_usage_bytes"}}},
      {"cache_hit_ratio", "Cache hit ratio", ChartUnit::kRatio,
       {{"{{type}} cache", "sum by (type) (rate(mcp_cache_hits_total[$__rate_interval])) / (sum by (type) "
                     "(rate(mcp_cache_hits_total[$__rate_interval])) + sum by (type) "
                     "(rate(mcp_cache_misses_total[$__rate_interval])))"}}},
      {"rate_limited", "Rate-limited (429) per second", ChartUnit::kPerSecond,
       {{"{{client_id}}", "sum by (client_id) (rate(mcp_rate_limit_rejections_total[$__rate_interval]))"}}},
      {"top_tools", "Top tools in the window", ChartUnit::kCount,
       {{"{{tool_name}}", "topk(8, sum by (tool_name) (increase(mcp_tool_usage_total[$__range])))"}}, true},
  };
  return charts;
}

std::vector<ChartSpec> const& overview_tiles() {
  static std::vector<ChartSpec> const tiles{
      {"requests", "Requests", ChartUnit::kPerSecond, {{"all", "sum(rate(mcp_requests_total[$__rate_interval]))"}}},
      {"errors", "Error ratio", ChartUnit::kRatio,
       {{"errors", R"(sum(rate(mcp_requests_total{status="error"}[$__rate_interval])) / sum(rate(mcp_requests_total[$__rate_interval])))"}}},
      {"p95", "p95 latency", ChartUnit::kSeconds,
       {{"p95", "histogram_quantile(0.95, sum by (le) (rate(mcp_request_duration_seconds_bucket[$__rate_interval])))"}}},
      {"connections", "Connections", ChartUnit::kCount, {{"connections", "mcp_active_connections"}}},
      {"cpu", "CPU", ChartUnit::kPercent, {{"cpu", "mcp_cpu_usage_percent"}}},
      {"memory", "Memory", ChartUnit::kBytes, {{"memory", "mcp_memory_usage_bytes"}}},
      {"cache", "Cache hit ratio", ChartUnit::kRatio,
       {{"hits", "sum(rate(mcp_cache_hits_total[$__rate_interval])) / (sum(rate(mcp_cache_hits_total[$__rate_interval])) "
                 "+ sum(rate(mcp_cache_misses_total[$__rate_interval])))"}}},
      {"rate_limited", "Rate-limited", ChartUnit::kPerSecond,
       {{"429", "sum(rate(mcp_rate_limit_rejections_total[$__rate_interval]))"}}},
  };
  return tiles;
}

std::vector<ChartSpec> const& upstream_charts() {
  static std::vector<ChartSpec> const charts{
      {"upstream_calls", "Upstream calls/s", ChartUnit::kPerSecond,
       {{"{{upstream}}", "sum by (upstream) (rate(mcp_upstream_requests_total[$__rate_interval]))"}}},
      {"upstream_errors", "Upstream error ratio", ChartUnit::kRatio,
       {{"{{upstream}}", R"(sum by (upstream) (rate(mcp_upstream_requests_total{status!="ok"}[$__rate_interval])) / )"
                         "sum by (upstream) (rate(mcp_upstream_requests_total[$__rate_interval]))"}}},
      {"upstream_latency", "Upstream p95 latency", ChartUnit::kSeconds,
       {{"{{upstream}}", "histogram_quantile(0.95, sum by (upstream, le) "
                         "(rate(mcp_upstream_request_duration_seconds_bucket[$__rate_interval])))"}}},
  };
  return charts;
}

ChartSpec const* find_chart(QString const& id) {
  for (auto const& chart : chart_catalog())
    if (chart.id == id) return &chart;
  return nullptr;
}

std::chrono::seconds rate_interval_for(std::chrono::seconds window) {
  using std::chrono::seconds;
  if (window <= seconds(60)) return seconds(10);
  if (window <= seconds(300)) return seconds(30);
  if (window <= seconds(900)) return seconds(60);
  return seconds(120);
}

QString expand_chart_expr(QString expr, std::chrono::seconds window) {
  expr.replace("$__rate_interval", QStringLiteral("%1s").arg(rate_interval_for(window).count()));
  expr.replace("$__range", QStringLiteral("%1s").arg(window.count()));
  return expr;
}

QString format_chart_value(double value, ChartUnit unit) {
  if (std::isnan(value)) return QStringLiteral("–");
  switch (unit) {
    case ChartUnit::kPerSecond: return QStringLiteral("%1/s").arg(value, 0, 'f', value < 10 ? 2 : 1);
    case ChartUnit::kRatio: return QStringLiteral("%1%").arg(value * 100, 0, 'f', 2);
    case ChartUnit::kPercent: return QStringLiteral("%1%").arg(value, 0, 'f', 1);
    case ChartUnit::kSeconds:
      return value < 1 ? QStringLiteral("%1 ms").arg(value * 1000, 0, 'f', value < 0.01 ? 2 : 1)
                       : QStringLiteral("%1 s").arg(value, 0, 'f', 2);
    case ChartUnit::kBytes: {
      char const* const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
      int i = 0;
      while (std::abs(value) >= 1024 && i < 4) value /= 1024, ++i;
      return QStringLiteral("%1 %2").arg(value, 0, 'f', i == 0 ? 0 : 1).arg(units[i]);
    }
    case ChartUnit::kCount: return QString::number(value, 'g', 6);
  }
  return QString::number(value);
}

}  // namespace prodmcp::console
