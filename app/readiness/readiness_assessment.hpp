#pragma once
// The production-readiness checklist: the course's production pillars (structured logs with
// correlation ids, metrics, liveness and readiness with dependencies, auth, limits, non-root,
// alert rules, resource limits, the production profile), each judged from evidence gathered from
// the running server, never from what its files claim.
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace prodmcp::console {

struct ReadinessEvidence {
  // The server's recent log lines.
  int log_lines = 0;
  int json_log_lines = 0;  // one JSON object with timestamp, level and event
  int request_lines = 0;   // "event":"request"
  int request_lines_with_correlation_id = 0;
  // Its /metrics, as scraped.
  bool scrape_ok = false;
  int request_metric_series = 0;  // mcp_request_duration_seconds_bucket series
  // Its probes; nothing while not polled.
  std::optional<bool> live;
  std::optional<bool> ready;
  QStringList readiness_checks;  // the dependency checks /ready reports
  // Its GET /config; empty when unknown.
  QJsonObject running_config;
  // Its process (the supervised one); nothing when it cannot be seen (attach mode).
  std::optional<int> uid;
  std::optional<QString> memory_limit;     // the cgroup's memory.max ("max" = none)
  std::optional<QString> address_space_limit;  // RLIMIT_AS as /proc/PID/limits says ("unlimited" = none)
  // The console's alert rules on the scraped data.
  int alert_rules = 0;
  int alert_rule_errors = 0;
};

struct ReadinessItem {
  enum class State { kMet, kNotMet, kUnknown };
  QString pillar;
  State state = State::kUnknown;
  QString evidence;  // what was seen
  QString fix;       // what to do when not met
};

QString readiness_state_name(ReadinessItem::State state);

QList<ReadinessItem> assess_readiness(ReadinessEvidence const& evidence);
// Met items out of those that could be judged, as a percentage (0 when none could).
int readiness_score(QList<ReadinessItem> const& items);

// What /proc tells of a process: its uid, and its memory and address-space limits.
struct ProcessFacts {
  std::optional<int> uid;
  std::optional<QString> memory_limit;
  std::optional<QString> address_space_limit;
};
ProcessFacts read_process_facts(qint64 pid);

}  // namespace prodmcp::console
