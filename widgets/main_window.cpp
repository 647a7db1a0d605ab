#include "main_window.hpp"

#include <QCloseEvent>
#include <QFrame>
#include <QHBoxLayout>
#include <QShortcut>
#include <QSplitter>
#include <QStatusBar>
#include <QVBoxLayout>

#include "alert_banner.hpp"
#include "config_page.hpp"
#include "demo_page.hpp"
#include "events_page.hpp"
#include "fleet_page.hpp"
#include "health_page.hpp"
#include "logs_page.hpp"
#include "metrics_page.hpp"
#include "overview_page.hpp"
#include "supervision_bar.hpp"
#include "tools_page.hpp"
#include "trace_page.hpp"
#include "upstreams_page.hpp"
#include "walkthrough_page.hpp"

namespace prodmcp::console {

MainWindow::MainWindow(ConsoleSession& session, QWidget* parent) : QMainWindow(parent), session_(session) {
  setWindowTitle(tr("ProdMCP Console"));
  auto* central = new QWidget;
  auto* layout = new QVBoxLayout(central);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  bar_ = new SupervisionBar(session);
  layout->addWidget(bar_);
  auto* line = new QFrame;
  line->setFrameShape(QFrame::HLine);
  line->setFrameShadow(QFrame::Sunken);
  layout->addWidget(line);
  banner_ = new AlertBanner(session);
  layout->addWidget(banner_);

  auto* body = new QHBoxLayout;
  navigation_ = new QListWidget;
  navigation_->setFixedWidth(140);
  navigation_->setFrameShape(QFrame::NoFrame);
  navigation_->setStyleSheet("QListWidget { background: palette(window); font-size: 11pt; } "
                             "QListWidget::item { padding: 8px; }");
  pages_ = new QStackedWidget;
  body->addWidget(navigation_);
  body->addWidget(pages_, 1);
  layout->addLayout(body, 1);
  setCentralWidget(central);

  add_page(tr("Overview"), overview_page_ = new OverviewPage(session));
  add_page(tr("Metrics"), metrics_page_ = new MetricsPage(session));
  add_page(tr("Health"), health_page_ = new HealthPage(session));
  add_page(tr("Upstreams"), upstreams_page_ = new UpstreamsPage(session));
  add_page(tr("Logs"), logs_page_ = new LogsPage(session.log_model()));
  add_page(tr("Tools"), tools_page_ = new ToolsPage(session));
  add_page(tr("Trace"), trace_page_ = new TracePage(session));
  add_page(tr("Config"), config_page_ = new ConfigPage(session));
  add_page(tr("Demo"), demo_page_ = new DemoPage(session));
  add_page(tr("Walkthrough"), walkthrough_page_ = new WalkthroughPage(session));
  add_page(tr("Fleet"), fleet_page_ = new FleetPage(session));
  add_page(tr("Events"), events_page_ = new EventsPage(session));
  connect(navigation_, &QListWidget::currentRowChanged, pages_, &QStackedWidget::setCurrentIndex);
  navigation_->setCurrentRow(0);
  // Ctrl+1..9: the first nine pages; Ctrl+F: the log filter.
  for (int row = 0; row < std::min(navigation_->count(), 9); ++row) {
    auto const keys = QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + row));
    navigation_->item(row)->setToolTip(keys.toString(QKeySequence::NativeText));
    connect(new QShortcut(keys, this), &QShortcut::activated, this, [this, row] { navigation_->setCurrentRow(row); });
  }
  connect(new QShortcut(QKeySequence::Find, this), &QShortcut::activated, this, [this] {
    show_page(tr("Logs"));
    logs_page_->query_edit()->setFocus(Qt::ShortcutFocusReason);
    logs_page_->query_edit()->selectAll();
  });
  // The pivot: a time range dragged on a chart narrows the events (and the logs) to it.
  connect(metrics_page_, &MetricsPage::range_selected, this, [this](qint64 from_ms, qint64 to_ms) {
    events_page_->set_time_range(from_ms, to_ms);
    logs_page_->set_time_range(from_ms, to_ms);
    show_page(tr("Logs"));
  });
  // From a call in the tool explorer to its request's log lines.
  connect(tools_page_, &ToolsPage::show_request_logs, this, [this](QString const& correlation_id) {
    logs_page_->show_correlation_id(correlation_id);
    show_page(tr("Logs"));
  });
  connect(overview_page_, &OverviewPage::add_own_server, this, [this] {
    show_page(tr("Upstreams"));
    upstreams_page_->add_button()->click();
  });
  connect(upstreams_page_, &UpstreamsPage::show_config, this, [this] { show_page(tr("Config")); });
  connect(overview_page_, &OverviewPage::show_upstreams, this, [this] { show_page(tr("Upstreams")); });
  connect(upstreams_page_, &UpstreamsPage::show_upstream_logs, this, [this](QString const& name) {
    logs_page_->show_query(QStringLiteral("upstream=") + name);
    show_page(tr("Logs"));
  });
  // From a log line or a call in the tool explorer to the request's two legs.
  auto const show_trace = [this](QString const& correlation_id) {
    trace_page_->show_correlation_id(correlation_id);
    show_page(tr("Trace"));
  };
  connect(logs_page_, &LogsPage::show_in_trace, this, show_trace);
  connect(tools_page_, &ToolsPage::show_request_trace, this, show_trace);
  connect(trace_page_, &TracePage::show_request_logs, this, [this](QString const& correlation_id) {
    logs_page_->show_correlation_id(correlation_id);
    show_page(tr("Logs"));
  });
  connect(trace_page_, &TracePage::jump_to_time, this, [this](qint64 time_ms) {
    metrics_page_->mark_time(time_ms);
    show_page(tr("Metrics"));
  });
  // And back: from a log line to the charts at that moment.
  connect(logs_page_, &LogsPage::jump_to_time, this, [this](qint64 time_ms) {
    metrics_page_->mark_time(time_ms);
    show_page(tr("Metrics"));
  });

  connect(&session.events(), &EventLog::added, this, [this](Event const& event) {
    statusBar()->showMessage(QStringLiteral("%1 · %2").arg(event.source, event.message), 10'000);
  });
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (config_page_->confirm_discard()) event->accept();
  else event->ignore();
}

void MainWindow::add_page(QString const& title, QWidget* page) {
  navigation_->addItem(title);
  pages_->addWidget(page);
}

QString MainWindow::current_page() const {
  auto const* item = navigation_->currentItem();
  return item ? item->text() : QString();
}

void MainWindow::save_state(QSettings& settings) const {
  settings.beginGroup(QStringLiteral("window"));
  settings.setValue(QStringLiteral("geometry"), saveGeometry());
  settings.setValue(QStringLiteral("page"), current_page());
  QVariantList splitters;
  for (auto const* splitter : findChildren<QSplitter*>()) splitters << splitter->saveState();
  settings.setValue(QStringLiteral("splitters"), splitters);
  settings.endGroup();
}

void MainWindow::restore_state(QSettings const& settings) {
  auto const value = [&](char const* key) { return settings.value(QStringLiteral("window/") + key); };
  if (auto const geometry = value("geometry").toByteArray(); !geometry.isEmpty()) restoreGeometry(geometry);
  if (auto const page = value("page").toString(); !page.isEmpty()) show_page(page);
  // Splitters in the order the pages make them; a build with other splitters ignores what no longer fits.
  auto const splitters = findChildren<QSplitter*>();
  auto const states = value("splitters").toList();
  if (states.size() == splitters.size())
    for (qsizetype i = 0; i < states.size(); ++i) splitters[i]->restoreState(states[i].toByteArray());
}

bool MainWindow::show_page(QString const& title) {
  auto const found = navigation_->findItems(title, Qt::MatchExactly);
  if (found.isEmpty()) return false;
  navigation_->setCurrentItem(found.first());
  return true;
}

}  // namespace prodmcp::console
