#include "demo_page.hpp"

#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QVBoxLayout>

#include "comparison_panel.hpp"
#include "palette.hpp"

namespace prodmcp::console {

DemoPage::DemoPage(ConsoleSession& session, QWidget* parent) : QWidget(parent), session_(session) {
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  tabs_ = new QTabWidget;
  outer->addWidget(tabs_);
  auto* bench = new QWidget;
  tabs_->addTab(bench, tr("Load and faults"));
  comparison_ = new ComparisonPanel(session);
  tabs_->addTab(comparison_, tr("Before and after"));
  auto* layout = new QVBoxLayout(bench);
  auto* intro = new QLabel(tr("Make the server work and struggle on purpose, then watch the Overview, Metrics, Health and "
                              "Logs pages. Development and staging only: a production server refuses the fault switches."));
  intro->setWordWrap(true);
  layout->addWidget(intro);

  auto* load_box = new QGroupBox(tr("Load generator"));
  auto* load_form = new QFormLayout(load_box);
  rate_ = new QSpinBox;
  rate_->setRange(1, int(LoadPlan::kMaxRate));
  rate_->setValue(40);
  rate_->setSuffix(tr(" calls/s"));
  duration_ = new QSpinBox;
  duration_->setRange(1, LoadPlan::kMaxDuration);
  duration_->setValue(60);
  duration_->setSuffix(tr(" s"));
  in_flight_ = new QSpinBox;
  in_flight_->setRange(1, 256);
  in_flight_->setValue(16);
  load_button_ = new QPushButton(tr("Start load"));
  load_label_ = new QLabel(tr("Calls echo, http_status_lookup, simulate_workload (some failing) and an unknown tool."));
  load_label_->setWordWrap(true);
  load_form->addRow(tr("Rate"), rate_);
  load_form->addRow(tr("Duration"), duration_);
  load_form->addRow(tr("At most in flight"), in_flight_);
  load_form->addRow(load_button_);
  load_form->addRow(load_label_);
  load_box->setMaximumWidth(760);
  layout->addWidget(load_box);

  auto* faults_box = new QGroupBox(tr("Fault switches (the server's /faults)"));
  auto* faults_form = new QFormLayout(faults_box);
  latency_ = new QSpinBox;
  latency_->setRange(0, 60'000);
  latency_->setSingleStep(100);
  latency_->setSuffix(tr(" ms added to every call"));
  error_rate_ = new QDoubleSpinBox;
  error_rate_->setRange(0, 1);
  error_rate_->setSingleStep(0.05);
  error_rate_->setDecimals(2);
  error_rate_->setSuffix(tr(" of tool calls fail"));
  apply_faults_ = new QPushButton(tr("Apply"));
  clear_faults_ = new QPushButton(tr("Clear faults"));
  auto* fault_buttons = new QHBoxLayout;
  fault_buttons->addWidget(apply_faults_);
  fault_buttons->addWidget(clear_faults_);
  crash_button_ = new QPushButton(tr("Crash the server"));
  crash_button_->setToolTip(tr("Arms the server's simulate_crash tool and calls it: the process dies (SIGABRT) "
                               "and the console's restart policy brings it back"));
  fault_buttons->addWidget(crash_button_);
  fault_buttons->addStretch();
  faults_label_ = new QLabel(tr("Server not reached yet"));
  faults_label_->setTextFormat(Qt::RichText);
  faults_form->addRow(tr("Latency"), latency_);
  faults_form->addRow(tr("Error rate"), error_rate_);
  faults_form->addRow(fault_buttons);
  faults_form->addRow(faults_label_);
  faults_box->setMaximumWidth(760);
  layout->addWidget(faults_box);

  if (auto* supervisor = session.supervisor(); supervisor && supervisor->options().with_redis) {
    auto* redis_box = new QGroupBox(tr("Redis outage"));
    auto* redis_layout = new QHBoxLayout(redis_box);
    redis_button_ = new QPushButton(tr("Stop Redis"));
    redis_layout->addWidget(redis_button_);
    redis_layout->addWidget(new QLabel(tr("The server keeps serving from memory; /ready reports redis degraded.")), 1);
    layout->addWidget(redis_box);
    connect(redis_button_, &QPushButton::clicked, this, [supervisor] {
      auto& redis = supervisor->redis();
      if (redis.state() == SupervisedProcess::State::kStopped) redis.start();
      else redis.stop();
    });
    connect(&supervisor->redis(), &SupervisedProcess::state_changed, this, [this](SupervisedProcess::State state) {
      redis_button_->setText(state == SupervisedProcess::State::kStopped ? tr("Start Redis") : tr("Stop Redis"));
    });
  }
  layout->addStretch(1);

  connect(load_button_, &QPushButton::clicked, this, [this] {
    if (session_.load().running()) return session_.load().stop();
    if (session_.mcp_url().isEmpty()) return load_label_->setText(tr("The server is not running."));
    LoadPlan plan;
    plan.rate_per_second = rate_->value();
    plan.duration_s = duration_->value();
    plan.max_in_flight = in_flight_->value();
    plan.bearer_token = session_.options().bearer_token;
    session_.load().start(session_.mcp_url(), plan);
    load_button_->setText(tr("Stop load"));
    session_.events().add(EventSeverity::kInfo, QStringLiteral("demo"), QStringLiteral("load_started"),
                          tr("load: %1 calls/s for %2 s").arg(plan.rate_per_second).arg(plan.duration_s));
  });
  connect(&session.load(), &LoadGenerator::progress, this, &DemoPage::show_load);
  connect(&session.load(), &LoadGenerator::finished, this, [this](LoadStats const& stats) {
    show_load(stats);
    load_button_->setText(tr("Start load"));
    session_.events().add(EventSeverity::kInfo, QStringLiteral("demo"), QStringLiteral("load_finished"), load_label_->text());
  });
  connect(apply_faults_, &QPushButton::clicked, this,
          [this] { session_.faults().set_faults(latency_->value(), error_rate_->value()); });
  connect(clear_faults_, &QPushButton::clicked, this, [this] {
    latency_->setValue(0);
    error_rate_->setValue(0);
    session_.faults().set_faults(0, 0);
  });
  connect(crash_button_, &QPushButton::clicked, this, [this] {
    crash_pending_ = true;
    session_.faults().arm_crash_tool(true);
  });
  connect(&session.faults(), &FaultClient::changed, this, [this](FaultState const& state) {
    show_faults(state);
    if (!crash_pending_ || !state.crash_tool) return;
    crash_pending_ = false;
    session_.events().add(EventSeverity::kWarning, QStringLiteral("demo"), QStringLiteral("crash_requested"),
                          tr("calling simulate_crash: the server will die and be restarted"));
    session_.mcp_client().call_tool(QStringLiteral("simulate_crash"), {}, [](McpAnswer const&) {});
  });
}

void DemoPage::show_comparison() { tabs_->setCurrentWidget(comparison_); }

void DemoPage::show_load(LoadStats const& stats) {
  int const answered = stats.answered();
  load_label_->setText(tr("%1 sent, %2 ok, %3 tool errors, %4 JSON-RPC errors, %5 refused, %6 failed or timed out, "
                          "%7 skipped (too many in flight); mean latency %8 ms")
                           .arg(stats.sent)
                           .arg(stats.ok)
                           .arg(stats.tool_errors)
                           .arg(stats.errors)
                           .arg(stats.refused + stats.unauthorized)
                           .arg(stats.failed + stats.timed_out)
                           .arg(stats.skipped)
                           .arg(answered ? stats.total_latency_ms / answered : 0.0, 0, 'f', 1));
}

void DemoPage::show_faults(FaultState const& state) {
  bool const enabled = state.allowed;
  for (QWidget* control : std::initializer_list<QWidget*>{latency_, error_rate_, apply_faults_, clear_faults_,
                                                          crash_button_, rate_, duration_, in_flight_, load_button_})
    control->setEnabled(enabled);
  if (!state.allowed) {
    faults_label_->setText(palette::badge(tr("refused"), palette::kBad) + " " +
                           (state.problem.isEmpty() ? tr("fault injection is refused in the production profile")
                                                    : state.problem).toHtmlEscaped());
    return;
  }
  bool const active = state.latency_ms > 0 || state.error_rate > 0;
  QString text = active ? palette::badge(tr("faults on"), palette::kWarn) +
                              tr(" +%1 ms, %2% of tool calls fail").arg(state.latency_ms).arg(state.error_rate * 100)
                        : palette::badge(tr("no faults"), palette::kGood);
  if (!state.problem.isEmpty()) text += " " + palette::badge(tr("refused"), palette::kBad) + " " + state.problem.toHtmlEscaped();
  faults_label_->setText(text);
}

}  // namespace prodmcp::console
