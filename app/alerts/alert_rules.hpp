#pragma once
// The alert rules, defined once: the console evaluates these expressions on the metrics it scrapes,
// and the shipped Prometheus rule file (installers/prometheus/prodmcp-alerts.yml) is generated from
// the same table, so the two cannot drift.
#include <chrono>
#include <string>
#include <vector>

namespace prodmcp::console {

struct AlertRule {
  std::string name;  // alertname
  std::string expr;  // PromQL; a non-empty result means the condition holds
  std::chrono::seconds for_duration{0};
  std::string severity;  // "critical" or "warning"
  std::string summary;
  std::string description;  // may use Prometheus templating ({{ $value }}, {{ $labels.x }})
};

std::vector<AlertRule> const& alert_rules();

// The Prometheus rule file (YAML) for alert_rules(), byte for byte what is shipped.
std::string prometheus_rule_file();

}  // namespace prodmcp::console
