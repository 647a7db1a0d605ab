#pragma once
// Evaluates the alert rules on the console's scraped data, as Prometheus's rule manager does: a
// rule whose expression returns anything is pending, and firing once it has held for its `for:`
// duration; it resolves as soon as the expression returns nothing. The query engine is passed in,
// so the state machine is tested on its own.
#include <QObject>
#include <QString>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "alerts/alert_rules.hpp"

namespace prodmcp::console {

enum class AlertState { kInactive, kPending, kFiring };
QString alert_state_name(AlertState state);

struct AlertStatus {
  AlertRule const* rule = nullptr;
  AlertState state = AlertState::kInactive;
  qint64 active_since_ms = 0;  // when the condition started to hold
  double value = 0;            // the largest value the expression returned
  QString labels;              // of that series, "check=redis"
  QString error;               // the expression could not be evaluated
};

// What a query returns: each series' labels ("k=v, ...") and value; nullopt + error on failure.
struct QueryAnswer {
  QString labels;
  double value = 0;
};
using InstantQuery = std::function<std::optional<std::vector<QueryAnswer>>(std::string const& expr, qint64 time_ms,
                                                                           QString& error)>;

class AlertEvaluator : public QObject {
  Q_OBJECT
 public:
  explicit AlertEvaluator(InstantQuery query, std::vector<AlertRule> const& rules = alert_rules(),
                          QObject* parent = nullptr);

  void evaluate(qint64 now_ms);
  std::vector<AlertStatus> const& states() const { return states_; }
  AlertStatus const* find(QString const& name) const;
  // One line for people: "MCPHighLatency firing for 1:05: p95 request latency ... (value 2.4)" or,
  // while pending, how long until it fires.
  QString describe(AlertStatus const& status, qint64 now_ms) const;
  // Forget all pending and firing states (a different server is now watched).
  void reset();

 signals:
  void state_changed(prodmcp::console::AlertStatus const& status, prodmcp::console::AlertState from);

 private:
  InstantQuery query_;
  std::vector<AlertStatus> states_;
};

}  // namespace prodmcp::console
