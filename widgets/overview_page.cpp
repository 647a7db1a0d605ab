#include "overview_page.hpp"

#include <QDateTime>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QVBoxLayout>
#include <cmath>

#include "config_editor/config_comparison.hpp"
#include "connect_client_dialog.hpp"
#include "health_page.hpp"
#include "upstreams_page.hpp"
#include "palette.hpp"

namespace prodmcp::console {

OverviewPage::OverviewPage(ConsoleSession& session, QWidget* parent) : QWidget(parent), session_(session) {
  auto* layout = new QVBoxLayout(this);
  auto* top = new QHBoxLayout;
  status_ = new QLabel;
  status_->setTextFormat(Qt::RichText);
  top->addWidget(status_, 1);
  own_server_ = new QPushButton(tr("Put your own server behind it…"));
  own_server_->setToolTip(tr("The server runs its built-in demo tools: put your MCP server behind it as a gateway, "
                             "with the whole production layer in front of its tools"));
  own_server_->hide();
  top->addWidget(own_server_);
  connect_client_ = new QPushButton(tr("Connect a client…"));
  connect_client_->setToolTip(tr("What to paste into Claude Desktop, Claude Code, Cursor, VS Code or the MCP Inspector "
                                 "to use this server"));
  top->addWidget(connect_client_);
  layout->addLayout(top);
  connect(connect_client_, &QPushButton::clicked, this, [this] {
    if (session_.mcp_url().isEmpty()) return;
    bool const needs_token = config_value(session_.config_editor().running(), QStringLiteral("auth.enabled")).toBool();
    ConnectClientDialog dialog(session_.mcp_url(), needs_token, this);
    emit connect_dialog_opened(&dialog);
    dialog.exec();
  });
  connect(own_server_, &QPushButton::clicked, this, &OverviewPage::add_own_server);
  // Offered once the gateway said it fronts nothing (not on an attached server: the console cannot change it).
  connect(&session.upstreams(), &UpstreamMonitor::updated, this, [this] {
    auto const& upstreams = session_.upstreams();
    own_server_->setVisible(session_.supervisor() && upstreams.error().isEmpty() && upstreams.polls() > 0 &&
                            upstreams.upstreams().isEmpty());
  });
  auto* grid = new QGridLayout;
  int index = 0;
  for (auto const& spec : overview_tiles()) {
    auto* tile = new SparklineTile(spec);
    grid->addWidget(tile, index / 4, index % 4);
    tiles_.append(tile);
    ++index;
  }
  layout->addLayout(grid);
  upstreams_ = new QLabel;
  upstreams_->setTextFormat(Qt::RichText);
  upstreams_->setWordWrap(true);
  upstreams_->hide();
  connect(upstreams_, &QLabel::linkActivated, this, &OverviewPage::show_upstreams);
  layout->addWidget(upstreams_);
  auto* lower = new QHBoxLayout;
  auto* alerts_box = new QGroupBox(tr("Alerts"));
  auto* alerts_layout = new QVBoxLayout(alerts_box);
  alerts_ = new QListWidget;
  alerts_layout->addWidget(alerts_);
  auto* events_box = new QGroupBox(tr("Latest events"));
  auto* events_layout = new QVBoxLayout(events_box);
  recent_events_ = new QListWidget;
  events_layout->addWidget(recent_events_);
  lower->addWidget(alerts_box, 1);
  lower->addWidget(events_box, 1);
  layout->addLayout(lower, 1);
  timer_.setInterval(1000);
  connect(&timer_, &QTimer::timeout, this, &OverviewPage::refresh);
  timer_.start();
}

SparklineTile* OverviewPage::tile(QString const& id) const {
  for (auto* tile : tiles_)
    if (tile->spec().id == id) return tile;
  return nullptr;
}

void OverviewPage::refresh() {
  if (!isVisible()) return;
  qint64 const now = session_.now_ms();
  auto const window = std::chrono::minutes(5);
  for (auto* tile : tiles_) {
    auto lines = session_.chart_lines(tile->spec(), window, now);
    tile->set_points(lines.isEmpty() ? QList<QPointF>() : lines.first().points);
  }
  auto const& health = session_.health();
  QString status;
  if (session_.admin_url().isEmpty()) {
    status = palette::badge(tr("no server"), palette::kIdle);
  } else {
    status = HealthPage::status_badges(health);
  }
  int firing = 0;
  alerts_->clear();
  for (auto const& alert : session_.alerts().states()) {
    if (alert.state == AlertState::kInactive) continue;
    firing += alert.state == AlertState::kFiring ? 1 : 0;
    auto* item = new QListWidgetItem(session_.alerts().describe(alert, now));
    item->setForeground(alert.state == AlertState::kFiring ? (alert.rule->severity == "critical" ? palette::kBad : palette::kWarn)
                                                           : palette::kIdle);
    alerts_->addItem(item);
  }
  if (alerts_->count() == 0) alerts_->addItem(tr("No alert pending or firing (%1 rules watched)").arg(alert_rules().size()));
  status += " " + (firing ? palette::badge(tr("%n alerts firing", nullptr, firing), palette::kBad)
                          : palette::badge(tr("no alerts firing"), palette::kGood));
  status_->setText(status);
  show_upstream_summary();
  recent_events_->clear();
  auto const& events = session_.events().events();
  for (auto it = events.rbegin(); it != events.rend() && recent_events_->count() < 12; ++it)
    recent_events_->addItem(QStringLiteral("%1  %2  %3")
                                .arg(QDateTime::fromMSecsSinceEpoch(it->time_ms).toString("hh:mm:ss"), it->source, it->message));
}

// Through a gateway, the key numbers per server of the user's: state, calls/s, errors, p95.
void OverviewPage::show_upstream_summary() {
  auto const& monitor = session_.upstreams();
  upstreams_->setVisible(!monitor.upstreams().isEmpty());
  if (monitor.upstreams().isEmpty()) return;
  QStringList parts;
  for (auto const& upstream : monitor.upstreams()) {
    auto const state = upstream.display_state();
    auto const traffic = monitor.traffic(upstream.name);
    QString part = QStringLiteral("<b>%1</b> %2").arg(upstream.name.toHtmlEscaped(),
                                                      palette::badge(upstream_state_name(state), UpstreamsPage::state_colour(state)));
    if (!std::isnan(traffic.calls_per_second))
      part += tr(" %1 calls/s").arg(traffic.calls_per_second, 0, 'f', 1);
    if (!std::isnan(traffic.error_ratio)) part += tr(" · %1% errors").arg(traffic.error_ratio * 100, 0, 'f', 1);
    if (!std::isnan(traffic.p95_seconds)) part += tr(" · p95 %1 ms").arg(traffic.p95_seconds * 1000, 0, 'f', 1);
    if (upstream.restarts > 0) part += tr(" · %n restart(s)", nullptr, int(upstream.restarts));
    parts << part;
  }
  upstreams_->setText(tr("Your servers behind the gateway: %1 &nbsp; <a href=\"upstreams\">Upstreams…</a>")
                          .arg(parts.join(QStringLiteral(" &nbsp;&nbsp; "))));
}

}  // namespace prodmcp::console
