#include "upstreams_page.hpp"

#include <QDateTime>
#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QSplitter>
#include <QVBoxLayout>

#include "add_server_dialog.hpp"
#include "admin/admin_request.hpp"
#include "ship/deployment_bundle.hpp"
#include "palette.hpp"
#include "status_tint_delegate.hpp"
#include "time_series_chart.hpp"

namespace prodmcp::console {

namespace {

constexpr std::chrono::minutes kChartWindow{5};

QString describe(UpstreamStatus const& upstream) {
  QStringList lines;
  lines << QObject::tr("%1 (%2, %3 sessions%4)")
               .arg(upstream.name, upstream.transport, upstream.sessions,
                    upstream.required ? QString() : QObject::tr(", optional"));
  lines << QObject::tr("Target: %1").arg(upstream.target);
  lines << QObject::tr("State: %1: %2").arg(upstream_state_name(upstream.display_state()), upstream.detail);
  if (!upstream.server_name.isEmpty())
    lines << QObject::tr("Server: %1 %2, protocol %3")
                 .arg(upstream.server_name, upstream.server_version, upstream.protocol_version);
  lines << QObject::tr("Breaker: %1 · calls in flight: %2 · restarts: %3")
               .arg(upstream.breaker)
               .arg(upstream.in_flight)
               .arg(upstream.restarts);
  if (upstream.has_exit) {
    auto const& exit = upstream.last_exit;
    lines << QString() << QObject::tr("Last exit at %1: %2%3")
                              .arg(QDateTime::fromMSecsSinceEpoch(exit.at_ms).toString("yyyy-MM-dd HH:mm:ss"),
                                   exit.description, exit.failed ? QObject::tr(" (a failure)") : QString());
    for (auto const& line : exit.stderr_tail) lines << QStringLiteral("  stderr: ") + line;
  }
  lines << QString()
        << QObject::tr("Offers %n tool(s)", nullptr, upstream.tool_count) +
               QObject::tr(", %n prompt(s)", nullptr, upstream.prompt_count) +
               QObject::tr(", %n resource(s) and template(s)", nullptr, upstream.resource_count) +
               (upstream.tools.isEmpty() ? QString() : QStringLiteral(": ") + upstream.tools.join(QStringLiteral(", ")));
  return lines.join('\n');
}

}  // namespace

QColor UpstreamsPage::state_colour(UpstreamState state) {
  switch (state) {
    case UpstreamState::kReady: return palette::kGood;
    case UpstreamState::kStarting:
    case UpstreamState::kRestarting:
    case UpstreamState::kBreakerOpen: return palette::kWarn;
    case UpstreamState::kCrashLoop:
    case UpstreamState::kDown: return palette::kBad;
  }
  return palette::kIdle;
}

UpstreamsPage::UpstreamsPage(ConsoleSession& session, QWidget* parent) : QWidget(parent), session_(session) {
  auto& monitor = session.upstreams();
  auto* layout = new QVBoxLayout(this);
  auto* top = new QHBoxLayout;
  status_ = new QLabel;
  status_->setTextFormat(Qt::RichText);
  status_->setWordWrap(true);
  top->addWidget(status_, 1);
  add_ = new QPushButton(tr("Add server…"));
  add_->setToolTip(tr("Put your own MCP server behind the gateway: a command, a URL, or an mcp.json import"));
  top->addWidget(add_);
  ship_ = new QPushButton(tr("Ship it…"));
  ship_->setToolTip(tr("Write a deployment bundle for this server and its upstreams: the production config, a "
                       "Compose override, a Kubernetes ConfigMap, a Dockerfile with their runtimes, and notes"));
  top->addWidget(ship_);
  layout->addLayout(top);

  table_ = new QTableView;
  table_->setModel(&monitor);
  table_->setItemDelegate(new StatusTintDelegate(
      UpstreamMonitor::kStateRole,
      [](QVariant const& state) {
        auto colour = UpstreamsPage::state_colour(UpstreamState(state.toInt()));
        if (UpstreamState(state.toInt()) == UpstreamState::kReady) return QColor();
        colour.setAlpha(40);
        return colour;
      },
      table_));
  table_->verticalHeader()->hide();
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  table_->setWordWrap(false);
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table_->horizontalHeader()->setSectionResizeMode(UpstreamMonitor::kLastExit, QHeaderView::Stretch);

  auto* selected = new QWidget;
  auto* selected_layout = new QVBoxLayout(selected);
  selected_layout->setContentsMargins(0, 0, 0, 0);
  details_ = new QPlainTextEdit;
  details_->setReadOnly(true);
  details_->setPlaceholderText(tr("Select an upstream to see it in full."));
  selected_layout->addWidget(details_, 1);
  auto* actions = new QHBoxLayout;
  restart_ = new QPushButton(tr("Restart"));
  restart_->setToolTip(tr("End its child (and its client sessions' children) and start it again now, also after "
                          "a crash loop"));
  logs_ = new QPushButton(tr("Logs"));
  logs_->setToolTip(tr("Its log lines on the Logs page (upstream=NAME)"));
  action_result_ = new QLabel;
  action_result_->setWordWrap(true);
  actions->addWidget(restart_);
  actions->addWidget(logs_);
  actions->addWidget(action_result_, 1);
  selected_layout->addLayout(actions);

  auto* charts = new QWidget;
  auto* charts_layout = new QHBoxLayout(charts);
  charts_layout->setContentsMargins(0, 0, 0, 0);
  for (auto const& spec : upstream_charts()) {
    auto* chart = new TimeSeriesChart(spec);
    chart->setMinimumHeight(180);
    charts_layout->addWidget(chart);
    charts_.append(chart);
  }

  auto* splitter = new QSplitter(Qt::Vertical);
  splitter->addWidget(table_);
  splitter->addWidget(selected);
  splitter->addWidget(charts);
  splitter->setSizes({140, 190, 400});
  splitter->setStretchFactor(2, 1);
  layout->addWidget(splitter, 1);

  connect(&monitor, &UpstreamMonitor::updated, this, [this] {
    refresh_status();
    show_selected();
  });
  connect(&monitor, &QAbstractItemModel::modelReset, this, [this] {
    if (table_->model()->rowCount() > 0 && !table_->currentIndex().isValid()) table_->selectRow(0);
  });
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &UpstreamsPage::show_selected);
  connect(restart_, &QPushButton::clicked, this, [this] {
    auto const name = selected_name();
    if (name.isEmpty()) return;
    action_result_->setText(tr("asking %1 to restart…").arg(name));
    session_.upstreams().restart(name);
  });
  connect(&monitor, &UpstreamMonitor::restart_answered, this, [this](QString const&, bool accepted, QString const& message) {
    action_result_->setText(accepted ? message : tr("not restarted: %1").arg(message));
  });
  connect(logs_, &QPushButton::clicked, this, [this] {
    if (auto const name = selected_name(); !name.isEmpty()) emit show_upstream_logs(name);
  });
  connect(add_, &QPushButton::clicked, this, [this] {
    AddServerDialog dialog(QDir::homePath(), QDir::currentPath(), this);
    if (dialog.exec() != QDialog::Accepted) return;
    auto const problem = add_to_config(dialog.drafts());
    action_result_->setText(problem.isEmpty() ? tr("added to the config: save and apply it on the Config page")
                                              : tr("not added: %1").arg(problem));
  });
  connect(ship_, &QPushButton::clicked, this, [this] {
    auto const directory = QFileDialog::getExistingDirectory(this, tr("Write the deployment bundle into (an empty folder)"));
    if (!directory.isEmpty()) action_result_->setText(ship_to(directory));
  });
  redraw_timer_.setInterval(1000);
  connect(&redraw_timer_, &QTimer::timeout, this, &UpstreamsPage::redraw_charts);
  redraw_timer_.start();
  refresh_status();
  show_selected();
}

QString UpstreamsPage::add_to_config(QList<UpstreamDraft> const& drafts) {
  auto& document = session_.config_editor().document();
  // All or none: a name taken halfway through leaves the document as it was.
  auto const before = document.text();
  for (auto const& draft : drafts)
    if (auto problem = document.add_upstream(draft); !problem.isEmpty()) {
      document.set_text(before);
      return problem;
    }
  emit show_config();
  return {};
}

QString UpstreamsPage::ship_to(QString const& directory) {
  auto const& running = session_.config_editor().running();
  if (running.isEmpty()) return tr("not shipped: the running server's config is not known yet (is it running?)");
  auto const bundle = make_bundle({running, QApplication::applicationVersion(), QString::fromLatin1(random_token()),
                                   QString::fromLatin1(random_token())});
  QString error;
  if (!write_bundle(bundle, directory, error)) return tr("not shipped: %1").arg(error);
  auto const left = int(bundle.secret_variables.size() + bundle.local_paths.size());
  return tr("deployment bundle written to %1 (%2); its README.md lists %n thing(s) left to do", nullptr, left + 1)
      .arg(directory, QStringList(bundle.files.keys()).join(", "));
}

QString UpstreamsPage::selected_name() const {
  auto const index = table_->currentIndex();
  return index.isValid() ? table_->model()->index(index.row(), UpstreamMonitor::kName).data().toString() : QString();
}

void UpstreamsPage::refresh_status() {
  auto const& monitor = session_.upstreams();
  QString text;
  if (session_.admin_url().isEmpty()) {
    text = palette::badge(tr("not watching"), palette::kIdle) + tr("  the server is not running");
  } else if (!monitor.error().isEmpty()) {
    text = palette::badge(tr("no answer"), palette::kBad) + "  " + monitor.error().toHtmlEscaped();
  } else if (monitor.polls() == 0) {
    text = palette::badge(tr("asking"), palette::kIdle);
  } else if (monitor.upstreams().isEmpty()) {
    text = tr("No upstream servers: this server offers its built-in tools. Put your own MCP server behind it: "
              "<b>Add server…</b>, or start the console with <code>-- python3 your_server.py</code>, "
              "<code>--upstream NAME=URL</code> or <code>--mcp-json FILE</code>.");
  } else {
    int ready = 0;
    for (auto const& upstream : monitor.upstreams()) ready += upstream.display_state() == UpstreamState::kReady;
    auto const all = int(monitor.upstreams().size());
    text = palette::badge(tr("%1 of %2 ready").arg(ready).arg(all), ready == all ? palette::kGood : palette::kWarn) +
           tr("  the gateway fronts %n upstream server(s); figures over the last %1", nullptr, all)
               .arg(QLatin1String(UpstreamMonitor::kTrafficWindow));
  }
  status_->setText(text);
  restart_->setEnabled(!session_.admin_url().isEmpty() && !selected_name().isEmpty());
  logs_->setEnabled(!selected_name().isEmpty());
}

void UpstreamsPage::show_selected() {
  auto const name = selected_name();
  auto const* upstream = session_.upstreams().find(name);
  auto const text = upstream ? describe(*upstream) : QString();
  if (details_->toPlainText() != text) details_->setPlainText(text);
  restart_->setEnabled(!session_.admin_url().isEmpty() && upstream);
  logs_->setEnabled(upstream != nullptr);
}

void UpstreamsPage::redraw_charts() {
  if (!isVisible()) return;  // drawn when shown: hidden charts cost nothing
  qint64 const end = session_.now_ms();
  auto const span = std::chrono::duration_cast<std::chrono::seconds>(kChartWindow);
  qint64 const begin = end - std::chrono::duration_cast<std::chrono::milliseconds>(kChartWindow).count();
  for (auto* chart : charts_) chart->set_lines(session_.chart_lines(chart->spec(), span, end), begin, end);
}

}  // namespace prodmcp::console
