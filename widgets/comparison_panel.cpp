#include "comparison_panel.hpp"

#include <QDateTime>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QMap>
#include <QSplitter>
#include <QVBoxLayout>
#include <cmath>

#include "demo/load_figures.hpp"
#include "mcp/tool_arguments.hpp"
#include "palette.hpp"
#include "time_series_chart.hpp"

namespace prodmcp::console {

namespace {

constexpr int kRefreshMs = 500;

QString milliseconds(double value) {
  return std::isnan(value) ? QStringLiteral("–") : QString::number(value, 'f', value < 10 ? 1 : 0) + " ms";
}

ChartSpec chart_spec(ComparisonPanel::ChartRow row, ComparisonPanel::Side side) {
  static char const* const kIds[] = {"throughput", "errors", "latency"};
  QString const where = side == ComparisonPanel::kDirectSide ? QStringLiteral("direct") : QStringLiteral("gateway");
  ChartSpec spec;
  spec.id = QStringLiteral("comparison-%1-%2").arg(where, kIds[row]);
  switch (row) {
    case ComparisonPanel::kThroughputRow:
      spec.title = QObject::tr("Answered ok (calls/s)");
      spec.unit = ChartUnit::kPerSecond;
      break;
    case ComparisonPanel::kErrorsRow:
      spec.title = QObject::tr("Errors, refusals, failures (calls/s)");
      spec.unit = ChartUnit::kPerSecond;
      break;
    case ComparisonPanel::kLatencyRow:
      spec.title = QObject::tr("Latency of answered calls");
      spec.unit = ChartUnit::kSeconds;
      break;
    case ComparisonPanel::kChartRowCount: break;
  }
  return spec;
}

// One side's lines from its per-second figures: x the second's end (ms since the epoch), y as the
// chart's unit wants it.
QList<ChartLine> side_lines(ComparisonPanel::ChartRow row, ComparisonSide const& side,
                            std::vector<LoadSecond> const& seconds) {
  auto at = [&](std::size_t i) { return double(side.started_ms + qint64(i + 1) * 1000); };
  QList<ChartLine> lines;
  if (row == ComparisonPanel::kThroughputRow || row == ComparisonPanel::kErrorsRow) {
    ChartLine line{row == ComparisonPanel::kThroughputRow ? QObject::tr("ok") : QObject::tr("errors"), {}};
    for (std::size_t i = 0; i < seconds.size(); ++i)
      line.points << QPointF(at(i), row == ComparisonPanel::kThroughputRow ? seconds[i].ok_per_second
                                                                           : seconds[i].errors_per_second);
    lines << line;
    return lines;
  }
  ChartLine p50{QStringLiteral("p50"), {}}, p95{QStringLiteral("p95"), {}}, p99{QStringLiteral("p99"), {}};
  for (std::size_t i = 0; i < seconds.size(); ++i) {
    if (std::isnan(seconds[i].p50_ms)) continue;  // nothing answered in that second
    p50.points << QPointF(at(i), seconds[i].p50_ms / 1000);
    p95.points << QPointF(at(i), seconds[i].p95_ms / 1000);
    p99.points << QPointF(at(i), seconds[i].p99_ms / 1000);
  }
  return {p50, p95, p99};
}

double highest(QList<ChartLine> const& lines) {
  double top = 0;
  for (auto const& line : lines)
    for (auto const& point : line.points) top = std::max(top, point.y());
  return top;
}

QString percent(int part, int whole) {
  return whole > 0 ? QString::number(100.0 * part / whole, 'f', 0) + '%' : QStringLiteral("–");
}

}  // namespace

ComparisonPanel::ComparisonPanel(ConsoleSession& session, QWidget* parent) : QWidget(parent), session_(session) {
  auto* splitter = new QSplitter(Qt::Horizontal);
  auto* outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  outer->addWidget(splitter);

  auto* left = new QWidget;
  auto* left_layout = new QVBoxLayout(left);
  auto* intro = new QLabel(tr("The same load sent to your server directly, as a plain MCP host would, then "
                              "through the gateway in front of it, one after the other."));
  intro->setWordWrap(true);
  left_layout->addWidget(intro);
  auto* form = new QFormLayout;
  upstream_box_ = new QComboBox;
  target_label_ = new QLabel;
  target_label_->setWordWrap(true);
  target_label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  form->addRow(tr("Your server"), upstream_box_);
  form->addRow(QString(), target_label_);
  left_layout->addLayout(form);

  tools_ = new QTableWidget(0, kToolColumnCount);
  tools_->setHorizontalHeaderLabels({tr("Tool"), tr("Arguments"), tr("Gateway name")});
  tools_->horizontalHeader()->setSectionResizeMode(kToolArguments, QHeaderView::Stretch);
  tools_->setColumnWidth(kToolName, 190);
  tools_->setColumnWidth(kToolExposedAs, 140);
  tools_->verticalHeader()->hide();
  tools_->setMinimumHeight(90);
  tools_->setToolTip(tr("The load calls the ticked tools in turn, each with its arguments. Untick any tool that "
                        "changes or deletes data: it will be called many times."));
  tools_label_ = new QLabel;
  left_layout->addWidget(tools_label_);
  left_layout->addWidget(tools_, 2);
  connect(tools_, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
    if (item->column() == kToolName) count_ticked();
  });

  auto* load_form = new QFormLayout;
  rate_ = new QSpinBox;
  rate_->setRange(1, int(LoadPlan::kMaxRate));
  rate_->setValue(20);
  rate_->setSuffix(tr(" calls/s"));
  duration_ = new QSpinBox;
  duration_->setRange(4, 300);
  duration_->setValue(20);
  duration_->setSuffix(tr(" s each side"));
  in_flight_ = new QSpinBox;
  in_flight_->setRange(1, 256);
  in_flight_->setValue(16);
  anonymous_ = new QCheckBox(tr("Every 10th call without a token"));
  anonymous_->setToolTip(tr("An unauthenticated caller: your server alone serves it; the gateway refuses it (401) "
                            "when its auth is on"));
  kill_ = new QCheckBox(tr("Kill the prototype halfway through each side"));
  kill_->setToolTip(tr("SIGKILL: directly, the console's own copy of your server; through the gateway, the "
                       "gateway's child. Only for a server the console or the gateway started (stdio)."));
  run_ = new QPushButton(tr("Run the comparison"));
  load_form->addRow(tr("Rate"), rate_);
  load_form->addRow(tr("Duration"), duration_);
  load_form->addRow(tr("At most in flight"), in_flight_);
  load_form->addRow(anonymous_);
  load_form->addRow(kill_);
  load_form->addRow(run_);
  status_ = new QLabel;
  status_->setWordWrap(true);
  headline_ = new QLabel;
  headline_->setWordWrap(true);
  headline_->setTextFormat(Qt::RichText);
  figures_ = new QTableWidget(0, 3);
  figures_->setHorizontalHeaderLabels({tr("Figure"), tr("Directly"), tr("Gateway")});
  figures_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  figures_->verticalHeader()->hide();
  figures_->verticalHeader()->setDefaultSectionSize(figures_->fontMetrics().height() + 6);
  figures_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  figures_->setWordWrap(false);
  figures_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
  figures_->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
  left_layout->addLayout(load_form);
  left_layout->addWidget(status_);
  left_layout->addWidget(headline_);
  left_layout->addWidget(figures_, 3);
  splitter->addWidget(left);

  auto* right = new QWidget;
  auto* grid = new QGridLayout(right);
  grid->addWidget(new QLabel(tr("<b>Directly</b> (no gateway)")), 0, kDirectSide, Qt::AlignHCenter);
  grid->addWidget(new QLabel(tr("<b>Through the gateway</b>")), 0, kGatewaySide, Qt::AlignHCenter);
  for (int row = 0; row < kChartRowCount; ++row)
    for (int side : {kDirectSide, kGatewaySide}) {
      auto* chart = new TimeSeriesChart(chart_spec(ChartRow(row), Side(side)));
      chart->setMinimumHeight(150);
      charts_[row][side] = chart;
      grid->addWidget(chart, row + 1, side);
    }
  splitter->addWidget(right);
  splitter->setStretchFactor(0, 2);
  splitter->setStretchFactor(1, 3);
  splitter->setSizes({460, 700});

  auto& run = session_.comparison();
  refresh_.setInterval(kRefreshMs);
  connect(&refresh_, &QTimer::timeout, this, &ComparisonPanel::show_progress);
  connect(upstream_box_, &QComboBox::currentIndexChanged, this, [this] { list_tools(); });
  connect(run_, &QPushButton::clicked, this, &ComparisonPanel::run_or_stop);
  connect(&run, &ComparisonRun::finished, this, [this](QString const& problem) {
    refresh_.stop();
    run_->setText(tr("Run the comparison"));
    show_figures();
    status_->setText(problem.isEmpty() ? tr("Done: both sides ran.") : tr("Ended: %1").arg(problem));
  });
  connect(&session_.upstreams(), &UpstreamMonitor::updated, this, [this] {
    if (isVisible() && upstream_box_->count() == 0) refresh_upstreams();
  });
  set_figure_rows({});
}

void ComparisonPanel::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (upstream_box_->count() == 0) refresh_upstreams();
}

void ComparisonPanel::refresh_upstreams() {
  auto* supervisor = session_.supervisor();
  if (!supervisor) {
    target_label_->setText(tr("Only for a server the console starts: attached to one, it cannot reach what is "
                              "behind it."));
    run_->setEnabled(false);
    return;
  }
  launched_ = launched_upstreams(supervisor->options());
  auto const current = upstream_box_->currentText();
  QSignalBlocker const blocker(upstream_box_);
  upstream_box_->clear();
  for (auto const& [name, settings] : launched_.upstreams) upstream_box_->addItem(name);
  if (!launched_.error.isEmpty()) {
    target_label_->setText(tr("The server's config does not load: %1").arg(launched_.error));
  } else if (launched_.upstreams.empty()) {
    target_label_->setText(tr("The gateway fronts no server of yours yet: put one behind it on the Upstreams page "
                              "(Add server…) or start the console with -- COMMAND."));
  }
  run_->setEnabled(!launched_.upstreams.empty());
  if (auto const index = upstream_box_->findText(current); index >= 0) upstream_box_->setCurrentIndex(index);
  if (upstream_box_->currentText() != listed_for_ || tools_->rowCount() == 0) list_tools();
}

void ComparisonPanel::list_tools() {
  auto const name = upstream_box_->currentText();
  auto const found = launched_.upstreams.find(name);
  if (found == launched_.upstreams.end()) return;
  auto const target = direct_target(found->second);
  target_label_->setText(tr("Directly: %1 %2").arg(target.remote() ? tr("a session with") : tr("the console starts"),
                                                   target.summary()));
  if (session_.comparison().running()) return;
  listed_for_ = name;
  tools_->setRowCount(0);
  count_ticked();
  status_->setText(tr("Asking %1 for its tools…").arg(name));
  session_.comparison().list_prototype_tools(target, [this, name](QJsonArray tools, QString problem) {
    // A run started meanwhile took the client over; the table keeps what it has.
    if (name != upstream_box_->currentText() || session_.comparison().running()) return;
    fill_tools(tools);
    status_->setText(problem.isEmpty() ? tr("%n tool(s) listed by the prototype itself.", "", int(tools.size()))
                                       : tr("Could not list its tools directly: %1").arg(problem));
  });
}

void ComparisonPanel::fill_tools(QJsonArray const& tools) {
  auto const* status = session_.upstreams().find(upstream_box_->currentText());
  tools_->setRowCount(0);
  for (auto const& value : tools) {
    auto const tool = value.toObject();
    auto const name = tool.value("name").toString();
    auto const annotations = tool.value("annotations").toObject();
    int const row = tools_->rowCount();
    tools_->insertRow(row);
    auto* name_item = new QTableWidgetItem(name);
    name_item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
    // A tool that says it destroys or changes things is left out unless a person ticks it.
    bool const destructive = annotations.value("destructiveHint").toBool(false);
    name_item->setCheckState(destructive ? Qt::Unchecked : Qt::Checked);
    name_item->setToolTip(tool.value("description").toString());
    tools_->setItem(row, kToolName, name_item);
    auto const arguments = example_arguments(tool.value("inputSchema").toObject());
    tools_->setItem(row, kToolArguments,
                    new QTableWidgetItem(QString::fromUtf8(QJsonDocument(arguments).toJson(QJsonDocument::Compact))));
    QString exposed = status ? exposed_tool_name(status->prefix, name) : QString();
    bool const offered = status && status->tools.contains(exposed);
    auto* exposed_item = new QTableWidgetItem(offered ? exposed : tr("not offered (tools_allow / tools_deny)"));
    exposed_item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    tools_->setItem(row, kToolExposedAs, exposed_item);
    if (status && !offered) name_item->setCheckState(Qt::Unchecked);
  }
  count_ticked();
}

void ComparisonPanel::count_ticked() {
  int ticked = 0;
  for (int row = 0; row < tools_->rowCount(); ++row)
    if (auto* item = tools_->item(row, kToolName); item && item->checkState() == Qt::Checked) ++ticked;
  tools_label_->setText(tools_->rowCount() ? tr("Tools to call: %1 of %2 ticked").arg(ticked).arg(tools_->rowCount())
                                           : QString());
}

std::optional<ComparisonPlan> ComparisonPanel::plan(QString& error) const {
  auto const name = upstream_box_->currentText();
  auto const found = launched_.upstreams.find(name);
  if (found == launched_.upstreams.end()) {
    error = tr("choose one of your servers first");
    return std::nullopt;
  }
  auto const* status = session_.upstreams().find(name);
  if (!status) {
    error = tr("the gateway does not report %1 yet (Upstreams page)").arg(name);
    return std::nullopt;
  }
  if (session_.mcp_url().isEmpty()) {
    error = tr("the server is not running");
    return std::nullopt;
  }
  ComparisonPlan plan;
  plan.upstream = name;
  plan.direct = direct_target(found->second);
  plan.prefix = status->prefix;
  plan.gateway_url = session_.mcp_url();
  plan.bearer_token = session_.options().bearer_token;
  plan.kill_halfway = kill_->isChecked();
  plan.load.rate_per_second = rate_->value();
  plan.load.duration_s = duration_->value();
  plan.load.max_in_flight = in_flight_->value();
  plan.load.anonymous_every = anonymous_->isChecked() ? 10 : 0;
  for (int row = 0; row < tools_->rowCount(); ++row) {
    if (tools_->item(row, kToolName)->checkState() != Qt::Checked) continue;
    auto const tool = tools_->item(row, kToolName)->text();
    QJsonParseError parse{};
    auto const document = QJsonDocument::fromJson(tools_->item(row, kToolArguments)->text().toUtf8(), &parse);
    if (parse.error != QJsonParseError::NoError || !document.isObject()) {
      error = tr("the arguments of %1 must be a JSON object, e.g. {\"text\": \"hello\"}%2")
                  .arg(tool, parse.error != QJsonParseError::NoError ? ": " + parse.errorString() : QString());
      return std::nullopt;
    }
    plan.load.calls.push_back({tool, document.object()});
  }
  if (plan.load.calls.empty()) {
    error = tr("tick at least one tool to call");
    return std::nullopt;
  }
  return plan;
}

void ComparisonPanel::run_or_stop() {
  auto& run = session_.comparison();
  if (run.running()) return run.stop();
  QString error;
  auto const planned = plan(error);
  if (!planned) return status_->setText(tr("Cannot start: %1.").arg(error));
  run.start(*planned);
  run_->setText(tr("Stop"));
  refresh_.start();
  show_progress();
}

void ComparisonPanel::show_progress() {
  auto const& run = session_.comparison();
  auto const& stats = run.load().stats();
  switch (run.step()) {
    case ComparisonRun::Step::kOpening: status_->setText(tr("Starting your server directly…")); break;
    case ComparisonRun::Step::kDirect:
    case ComparisonRun::Step::kGateway:
      status_->setText(tr("%1: %2 sent, %3 answered, %4 in flight")
                           .arg(run.step() == ComparisonRun::Step::kDirect ? tr("Directly") : tr("Through the gateway"))
                           .arg(stats.sent)
                           .arg(stats.answered())
                           .arg(run.load().in_flight()));
      break;
    case ComparisonRun::Step::kSettling: status_->setText(tr("Reading the gateway's metrics…")); break;
    case ComparisonRun::Step::kIdle: break;
  }
  show_figures();
}

void ComparisonPanel::show_figures() {
  auto const& run = session_.comparison();
  // While a side runs its calls are the load generator's; once over they are the side's.
  auto live = [&](ComparisonSide const& kept, ComparisonRun::Step step) {
    ComparisonSide side = kept;
    if (run.step() == step) side.samples = run.load().samples();
    return side;
  };
  ComparisonSide const sides[2] = {live(run.direct(), ComparisonRun::Step::kDirect),
                                   live(run.gateway(), ComparisonRun::Step::kGateway)};
  std::vector<LoadSecond> const seconds[2] = {per_second(sides[0].samples, sides[0].duration_s),
                                              per_second(sides[1].samples, sides[1].duration_s)};
  for (int row = 0; row < kChartRowCount; ++row) {
    QList<ChartLine> lines[2];
    double top = 0;
    for (int side : {kDirectSide, kGatewaySide}) {
      if (sides[side].ran()) lines[side] = side_lines(ChartRow(row), sides[side], seconds[side]);
      top = std::max(top, highest(lines[side]));
    }
    for (int side : {kDirectSide, kGatewaySide}) {
      auto const from = sides[side].ran() ? sides[side].started_ms : QDateTime::currentMSecsSinceEpoch();
      qint64 to = from + qint64(std::max(sides[side].duration_s, duration_->value())) * 1000;
      for (auto const& line : lines[side])
        if (!line.points.isEmpty()) to = std::max(to, qint64(line.points.last().x()));
      charts_[row][side]->set_minimum_top(top);  // one scale across, so the eye compares
      charts_[row][side]->set_lines(lines[side], from, to);
    }
  }
  LoadSummary const summary[2] = {summarize(sides[0].samples, std::max(sides[0].duration_s, 1)),
                                  summarize(sides[1].samples, std::max(sides[1].duration_s, 1))};
  auto both = [&](auto field) {
    return QStringList{sides[0].ran() ? field(summary[0]) : QString(), sides[1].ran() ? field(summary[1]) : QString()};
  };
  auto count = [&](int LoadSummary::*member) {
    return both([member](LoadSummary const& s) { return QString::number(s.*member); });
  };
  auto row = [](QString const& figure, QStringList const& values) { return QStringList{figure} + values; };
  QList<QStringList> rows;
  rows << row(tr("Calls sent"), count(&LoadSummary::sent));
  rows << row(tr("Answered ok"), both([](LoadSummary const& s) {
           return QStringLiteral("%1 (%2)").arg(s.ok).arg(percent(s.ok, s.sent));
         }));
  rows << row(tr("Throughput, ok/s"), both([](LoadSummary const& s) { return QString::number(s.ok_per_second, 'f', 1); }));
  rows << row(tr("Latency p50"), both([](LoadSummary const& s) { return milliseconds(s.p50_ms); }));
  rows << row(tr("Latency p95"), both([](LoadSummary const& s) { return milliseconds(s.p95_ms); }));
  rows << row(tr("Latency p99"), both([](LoadSummary const& s) { return milliseconds(s.p99_ms); }));
  rows << row(tr("Tool errors"), count(&LoadSummary::tool_errors));
  rows << row(tr("JSON-RPC errors"), count(&LoadSummary::errors));
  rows << row(tr("No valid token (401)"), count(&LoadSummary::unauthorized));
  rows << row(tr("Refused"), count(&LoadSummary::refused));
  rows << row(tr("Failed"), count(&LoadSummary::failed));
  rows << row(tr("Timed out"), count(&LoadSummary::timed_out));
  if (summary[0].anonymous > 0 || summary[1].anonymous > 0)
    rows << row(tr("Without a token"), both([](LoadSummary const& s) {
           return tr("%1 sent, %2 served").arg(s.anonymous).arg(s.anonymous_served);
         }));
  if (!sides[0].fault.isEmpty() || !sides[1].fault.isEmpty())
    rows << row(tr("Halfway"), {sides[0].fault, sides[1].fault});
  auto const& effects = run.effects();
  if (effects.known) {
    auto added = [&](QString const& figure, QString const& value) {
      rows << QStringList{figure, tr("–"), value};
    };
    added(tr("Rate-limited (429)"), QString::number(effects.rate_limited));
    added(tr("Cache hits"), QString::number(effects.cache_hits));
    added(tr("Retries"), QString::number(effects.retries));
    added(tr("Circuit breaker"),
          effects.breaker_opened ? tr("opened; %n call(s) failed fast", "", int(effects.breaker_fast_failures))
                                 : tr("stayed closed"));
    added(tr("Restarts"), QString::number(effects.restarts));
  }
  set_figure_rows(rows);

  if (!sides[0].ran() || !sides[1].ran() || run.running()) return headline_->clear();
  auto const& direct = summary[0];
  auto const& gateway = summary[1];
  QString text = tr("Answered ok: <b>%1</b> directly, <b>%2</b> through the gateway.")
                     .arg(percent(direct.ok, direct.sent), percent(gateway.ok, gateway.sent));
  if (!std::isnan(direct.p50_ms) && !std::isnan(gateway.p50_ms))
    text += tr(" p50 %1 → %2 (%3%4 ms).")
                .arg(milliseconds(direct.p50_ms), milliseconds(gateway.p50_ms))
                .arg(gateway.p50_ms >= direct.p50_ms ? "+" : "")
                .arg(gateway.p50_ms - direct.p50_ms, 0, 'f', 1);
  if (direct.timed_out > 0 || gateway.timed_out > 0)
    text += tr(" Hung until timed out: %1 directly, %2 through the gateway.").arg(direct.timed_out).arg(gateway.timed_out);
  headline_->setText(text);
}

void ComparisonPanel::set_figure_rows(QList<QStringList> const& rows) {
  static QMap<QString, QString> const kMeaning{
      {tr("Answered ok"), tr("Calls answered with a result that is not an error (isError)")},
      {tr("Throughput, ok/s"), tr("Calls answered ok per second of the side's duration")},
      {tr("Latency p50"), tr("Of the calls the server answered (a result or a JSON-RPC error), measured by the console")},
      {tr("Tool errors"), tr("Results with isError: the tool itself reported a failure")},
      {tr("JSON-RPC errors"), tr("Answers with a JSON-RPC error (through the gateway: also the calls a dying child took down)")},
      {tr("No valid token (401)"), tr("Calls refused for want of a valid bearer token")},
      {tr("Refused"), tr("Another HTTP status without an answer: 429 (rate limit), 403, 503")},
      {tr("Without a token"), tr("Calls sent without the bearer token, and how many were served anyway")},
      {tr("Failed"), tr("No answer at all: the connection or the process was gone")},
      {tr("Timed out"), tr("No answer within %1 s: the call hung").arg(LoadGenerator::kCallTimeoutMs / 1000)},
      {tr("Rate-limited (429)"), tr("Calls the gateway's rate limit refused")},
      {tr("Cache hits"), tr("Calls the gateway answered from its cache (upstreams.NAME.cache_ttl_s)")},
      {tr("Retries"), tr("Calls the gateway sent to your server again after a failure (idempotent tools only)")},
      {tr("Circuit breaker"), tr("Whether the gateway's breaker for your server opened, and the calls it failed fast")},
      {tr("Restarts"), tr("Times the gateway restarted your server's process")},
  };
  figures_->setRowCount(int(rows.size()));
  for (int row = 0; row < rows.size(); ++row)
    for (int column = 0; column < 3; ++column) {
      auto* item = figures_->item(row, column);
      if (!item) figures_->setItem(row, column, item = new QTableWidgetItem);
      item->setText(column < rows[row].size() ? rows[row][column] : QString());
      item->setToolTip(column == 0 ? kMeaning.value(item->text(), item->text()) : item->text());
    }
}

QString ComparisonPanel::figure(QString const& figure, Side side) const {
  for (int row = 0; row < figures_->rowCount(); ++row)
    if (figures_->item(row, 0) && figures_->item(row, 0)->text() == figure) return figures_->item(row, 1 + side)->text();
  return {};
}

}  // namespace prodmcp::console
