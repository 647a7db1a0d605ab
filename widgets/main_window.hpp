#pragma once
// The console's window: the supervision bar on top, pages chosen from a side list (health, fleet,
// events, ...), each presenting a model the ConsoleSession holds.
#include <QListWidget>
#include <QMainWindow>
#include <QSettings>
#include <QStackedWidget>

#include "console_session.hpp"

namespace prodmcp::console {

class AlertBanner;
class ConfigPage;
class DemoPage;
class EventsPage;
class FleetPage;
class HealthPage;
class LogsPage;
class MetricsPage;
class OverviewPage;
class SupervisionBar;
class ToolsPage;
class TracePage;
class UpstreamsPage;
class WalkthroughPage;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(ConsoleSession& session, QWidget* parent = nullptr);

  ConsoleSession& session() { return session_; }
  SupervisionBar* supervision_bar() const { return bar_; }
  AlertBanner* alert_banner() const { return banner_; }
  OverviewPage* overview_page() const { return overview_page_; }
  MetricsPage* metrics_page() const { return metrics_page_; }
  LogsPage* logs_page() const { return logs_page_; }
  ToolsPage* tools_page() const { return tools_page_; }
  UpstreamsPage* upstreams_page() const { return upstreams_page_; }
  TracePage* trace_page() const { return trace_page_; }
  ConfigPage* config_page() const { return config_page_; }
  DemoPage* demo_page() const { return demo_page_; }
  WalkthroughPage* walkthrough_page() const { return walkthrough_page_; }
  HealthPage* health_page() const { return health_page_; }
  FleetPage* fleet_page() const { return fleet_page_; }
  EventsPage* events_page() const { return events_page_; }
  // Shows the page with this title ("Health", "Fleet", ...); false if there is none.
  bool show_page(QString const& title);
  QString current_page() const;
  // The window's size and place, its page and its splitters, as a person left them.
  void save_state(QSettings& settings) const;
  void restore_state(QSettings const& settings);

 protected:
  // Unsaved config edits are not dropped without asking.
  void closeEvent(QCloseEvent* event) override;

 private:
  void add_page(QString const& title, QWidget* page);

  ConsoleSession& session_;
  QListWidget* navigation_;
  QStackedWidget* pages_;
  SupervisionBar* bar_;
  AlertBanner* banner_;
  OverviewPage* overview_page_;
  MetricsPage* metrics_page_;
  LogsPage* logs_page_;
  ToolsPage* tools_page_;
  UpstreamsPage* upstreams_page_;
  TracePage* trace_page_;
  ConfigPage* config_page_;
  DemoPage* demo_page_;
  WalkthroughPage* walkthrough_page_;
  HealthPage* health_page_;
  FleetPage* fleet_page_;
  EventsPage* events_page_;
};

}  // namespace prodmcp::console
