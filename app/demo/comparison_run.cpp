#include "demo/comparison_run.hpp"

#include <signal.h>

#include <QDateTime>

#include "metrics/promql.hpp"

namespace prodmcp::console {

namespace {

qint64 now_ms() { return QDateTime::currentMSecsSinceEpoch(); }

// The gateway's counters behind GatewayEffects ("%1" is the upstream's name).
struct EffectCounter {
  char const* expr;
  double GatewayEffects::*field;
};
constexpr EffectCounter kEffectCounters[] = {
    {"sum(mcp_rate_limit_rejections_total)", &GatewayEffects::rate_limited},
    {"sum(mcp_cache_hits_total)", &GatewayEffects::cache_hits},
    {R"(sum(circuit_breaker_requests_total{circuit_name="upstream:%1",outcome="rejected"}))",
     &GatewayEffects::breaker_fast_failures},
    {R"(sum(mcp_upstream_restarts_total{upstream="%1"}))", &GatewayEffects::restarts},
};

QString effect_expr(EffectCounter const& counted, QString const& upstream) {
  return QString::fromLatin1(counted.expr).replace(QStringLiteral("%1"), upstream);
}

}  // namespace

ComparisonRun::ComparisonRun(metrics::SeriesStore const& store, UpstreamMonitor& upstreams, TraceModel const& trace,
                             EventLog& events, QObject* parent)
    : QObject(parent), store_(store), upstreams_(upstreams), trace_(trace), events_(events) {
  client_.set_timeout_ms(LoadGenerator::kCallTimeoutMs);
  halfway_.setSingleShot(true);
  connect(&halfway_, &QTimer::timeout, this, &ComparisonRun::kill_prototype);
  drain_.setInterval(100);
  connect(&drain_, &QTimer::timeout, this, [this] {
    if (load_.in_flight() > 0 && now_ms() < drain_deadline_ms_) return;
    drain_.stop();
    keep_samples();
    if (step_ == Step::kDirect) {
      client_.close();
      if (stopping_) return finish(tr("stopped before the gateway's side"));
      return start_gateway();
    }
    settle();
  });
  connect(&load_, &LoadGenerator::progress, this, &ComparisonRun::progress);
  connect(&load_, &LoadGenerator::finished, this, &ComparisonRun::side_ended);
  connect(&client_, &DirectMcpClient::closed, this, [this](QString const& why) {
    if (step_ == Step::kDirect && !direct_side_.fault.isEmpty())
      direct_side_.fault += tr("; then %1, and every later call failed: nothing restarts it").arg(why);
  });
}

void ComparisonRun::start(ComparisonPlan plan) {
  if (running()) return;
  plan_ = std::move(plan);
  direct_side_ = {};
  gateway_side_ = {};
  effects_ = {};
  problem_.clear();
  stopping_ = false;
  step_ = Step::kOpening;
  events_.add(EventSeverity::kInfo, QStringLiteral("demo"), QStringLiteral("comparison_started"),
              tr("before/after on %1: %2 calls/s for %3 s directly, then the same through the gateway%4")
                  .arg(plan_.upstream)
                  .arg(plan_.load.rate_per_second)
                  .arg(plan_.load.duration_s)
                  .arg(plan_.kill_halfway ? tr(", the prototype killed halfway through each") : QString()));
  emit progress();
  client_.open(plan_.direct, [this](QString const& problem) {
    if (step_ != Step::kOpening) return;
    if (!problem.isEmpty()) return finish(tr("could not reach %1 directly: %2").arg(plan_.direct.summary(), problem));
    start_direct();
  });
}

void ComparisonRun::start_direct() {
  step_ = Step::kDirect;
  direct_side_.started_ms = now_ms();
  direct_side_.duration_s = plan_.load.duration_s;
  load_.start([this](LoadCall const& call, std::function<void(CallOutcome)> done) {
    client_.call_tool(call.tool, call.arguments, [done = std::move(done)](McpAnswer const& answer) {
      done(outcome_of(answer));
    });
  }, plan_.load);
  if (plan_.kill_halfway) halfway_.start(plan_.load.duration_s * 500);
  emit progress();
}

void ComparisonRun::start_gateway() {
  step_ = Step::kGateway;
  counters_at_start_.clear();
  gateway_side_.started_ms = now_ms();
  for (auto const& counted : kEffectCounters)
    counters_at_start_.push_back(counter(effect_expr(counted, plan_.upstream), gateway_side_.started_ms));
  gateway_side_.duration_s = plan_.load.duration_s;
  LoadPlan load = plan_.load;
  for (auto& call : load.calls) call.tool = exposed_tool_name(plan_.prefix, call.tool);
  load.bearer_token = plan_.bearer_token;
  events_.add(EventSeverity::kInfo, QStringLiteral("demo"), QStringLiteral("comparison_gateway"),
              tr("before/after on %1: the same load through the gateway").arg(plan_.upstream));
  load_.start(plan_.gateway_url, load);
  if (plan_.kill_halfway) halfway_.start(plan_.load.duration_s * 500);
  emit progress();
}

void ComparisonRun::side_ended() {
  if ((step_ != Step::kDirect && step_ != Step::kGateway) || drain_.isActive()) return;
  halfway_.stop();
  // The last calls get their full timeout, so a hang is counted as one.
  drain_deadline_ms_ = now_ms() + LoadGenerator::kCallTimeoutMs + 2000;
  drain_.start();
}

void ComparisonRun::keep_samples() {
  auto& side = step_ == Step::kDirect ? direct_side_ : gateway_side_;
  side.samples = load_.samples();
}

void ComparisonRun::settle() {
  step_ = Step::kSettling;
  emit progress();
  QTimer::singleShot(kSettleMs, this, [this] {
    if (step_ != Step::kSettling) return;
    auto const end = now_ms();
    for (std::size_t i = 0; i < std::size(kEffectCounters); ++i) {
      auto const expr = effect_expr(kEffectCounters[i], plan_.upstream);
      // A counter that went back (the server restarted) counts from zero.
      double const at_end = counter(expr, end);
      double const at_start = i < counters_at_start_.size() ? counters_at_start_[i] : 0;
      effects_.*kEffectCounters[i].field = at_end >= at_start ? at_end - at_start : at_end;
    }
    auto const window_s = std::max<qint64>((end - gateway_side_.started_ms) / 1000 + 1, 1);
    effects_.breaker_opened =
        effects_.breaker_fast_failures > 0 ||
        counter(QStringLiteral(R"(max(max_over_time(circuit_breaker_state{circuit_name="upstream:%1"}[%2s])))")
                    .arg(plan_.upstream)
                    .arg(window_s),
                end) >= 1;
    for (auto const& call : trace_.calls())
      if (call.upstream == plan_.upstream && call.at_ms >= gateway_side_.started_ms && call.at_ms <= end)
        effects_.retries += std::max<qsizetype>(call.legs.size() - 1, 0);
    effects_.known = true;
    if (!gateway_side_.fault.isEmpty() && effects_.restarts > 0)
      gateway_side_.fault += tr("; the gateway restarted it (%n restart(s)) and went on serving", "", int(effects_.restarts));
    finish(stopping_ ? tr("stopped early") : QString());
  });
}

void ComparisonRun::stop() {
  if (!running() || stopping_) return;
  stopping_ = true;
  if (step_ == Step::kOpening) return finish(tr("stopped"));
  if (load_.running()) load_.stop();
}

void ComparisonRun::finish(QString problem) {
  step_ = Step::kIdle;
  halfway_.stop();
  drain_.stop();
  load_.stop();
  client_.close();
  problem_ = std::move(problem);
  events_.add(problem_.isEmpty() ? EventSeverity::kInfo : EventSeverity::kWarning, QStringLiteral("demo"),
              QStringLiteral("comparison_finished"),
              problem_.isEmpty() ? tr("before/after on %1 finished").arg(plan_.upstream)
                                 : tr("before/after on %1: %2").arg(plan_.upstream, problem_));
  emit progress();
  emit finished(problem_);
}

void ComparisonRun::kill_prototype() {
  bool const direct = step_ == Step::kDirect;
  if (!direct && step_ != Step::kGateway) return;
  auto& side = direct ? direct_side_ : gateway_side_;
  qint64 pid = direct ? client_.pid() : 0;
  if (!direct)
    if (auto const* status = upstreams_.find(plan_.upstream)) pid = status->pid;
  auto const at_s = (now_ms() - side.started_ms) / 1000.0;
  if (pid <= 0) {
    side.fault = tr("nothing to kill at %1 s: %2").arg(at_s, 0, 'f', 1)
                     .arg(plan_.direct.remote() ? tr("the prototype is a remote server")
                                                : tr("no process of the prototype was running"));
    return;
  }
  ::kill(pid_t(pid), SIGKILL);
  side.fault = tr("killed the prototype (pid %1) at %2 s").arg(pid).arg(at_s, 0, 'f', 1);
  events_.add(EventSeverity::kWarning, QStringLiteral("demo"), QStringLiteral("prototype_killed"),
              tr("before/after on %1: %2 (%3)")
                  .arg(plan_.upstream, side.fault, direct ? tr("the console's own copy, no gateway")
                                                          : tr("the gateway's child")));
}

double ComparisonRun::counter(QString const& expr, qint64 time_ms) const {
  auto const result = metrics::evaluate_instant(store_, expr.toStdString(), time_ms);
  return result.ok() && !result.vector.empty() ? result.vector.front().value : 0;
}

void ComparisonRun::list_prototype_tools(DirectTarget const& target,
                                         std::function<void(QJsonArray, QString)> done) {
  if (running()) return done({}, tr("a comparison is running"));
  client_.open(target, [this, done = std::move(done)](QString const& problem) {
    if (!problem.isEmpty()) return done({}, problem);
    client_.list_tools([this, done](QJsonArray tools, QString problem) {
      if (!running()) client_.close();
      done(std::move(tools), std::move(problem));
    });
  });
}

}  // namespace prodmcp::console
