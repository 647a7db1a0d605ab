#include "alerts/alert_evaluator.hpp"

#include <chrono>

namespace prodmcp::console {

QString alert_state_name(AlertState state) {
  switch (state) {
    case AlertState::kInactive: return QStringLiteral("inactive");
    case AlertState::kPending: return QStringLiteral("pending");
    case AlertState::kFiring: return QStringLiteral("firing");
  }
  return {};
}

namespace {
QString clock_text(qint64 milliseconds) {
  qint64 const seconds = std::max<qint64>(0, milliseconds / 1000);
  return QStringLiteral("%1:%2").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
}
}  // namespace

AlertEvaluator::AlertEvaluator(InstantQuery query, std::vector<AlertRule> const& rules, QObject* parent)
    : QObject(parent), query_(std::move(query)) {
  for (auto const& rule : rules) states_.emplace_back().rule = &rule;
}

void AlertEvaluator::evaluate(qint64 now_ms) {
  for (auto& status : states_) {
    QString error;
    auto const answer = query_(status.rule->expr, now_ms, error);
    status.error = answer ? QString() : error;
    AlertState const before = status.state;
    if (!answer || answer->empty()) {
      status.state = AlertState::kInactive;
      status.active_since_ms = 0;
    } else {
      auto const* top = &answer->front();
      for (auto const& series : *answer)
        if (series.value > top->value) top = &series;
      status.value = top->value;
      status.labels = top->labels;
      if (status.state == AlertState::kInactive) status.active_since_ms = now_ms;
      auto const for_ms = std::chrono::duration_cast<std::chrono::milliseconds>(status.rule->for_duration).count();
      status.state = now_ms - status.active_since_ms >= for_ms ? AlertState::kFiring : AlertState::kPending;
    }
    if (status.state != before) emit state_changed(status, before);
  }
}

AlertStatus const* AlertEvaluator::find(QString const& name) const {
  for (auto const& status : states_)
    if (QString::fromStdString(status.rule->name) == name) return &status;
  return nullptr;
}

QString AlertEvaluator::describe(AlertStatus const& status, qint64 now_ms) const {
  QString const name = QString::fromStdString(status.rule->name);
  QString const summary = QString::fromStdString(status.rule->summary);
  QString const where = status.labels.isEmpty() ? QString() : QStringLiteral(" {%1}").arg(status.labels);
  auto const for_ms = std::chrono::duration_cast<std::chrono::milliseconds>(status.rule->for_duration).count();
  switch (status.state) {
    case AlertState::kFiring:
      return tr("%1%2 firing for %3: %4 (value %5)")
          .arg(name, where, clock_text(now_ms - status.active_since_ms - for_ms), summary)
          .arg(status.value, 0, 'g', 4);
    case AlertState::kPending:
      return tr("%1%2 pending, fires in %3 if it holds: %4 (value %5)")
          .arg(name, where, clock_text(status.active_since_ms + for_ms - now_ms), summary)
          .arg(status.value, 0, 'g', 4);
    case AlertState::kInactive: break;
  }
  return status.error.isEmpty() ? tr("%1 inactive").arg(name) : tr("%1 cannot be evaluated: %2").arg(name, status.error);
}

void AlertEvaluator::reset() {
  for (auto& status : states_) {
    status.state = AlertState::kInactive;
    status.active_since_ms = 0;
  }
}

}  // namespace prodmcp::console
