#include "alert_banner.hpp"

#include <QApplication>
#include <QDateTime>

#include "palette.hpp"

namespace prodmcp::console {

AlertBanner::AlertBanner(ConsoleSession& session, QWidget* parent) : QLabel(parent), session_(session) {
  setTextFormat(Qt::PlainText);  // alert text carries label values a server chose: never markup
  setWordWrap(true);
  setMargin(6);
  hide();
  if (QSystemTrayIcon::isSystemTrayAvailable()) {
    tray_ = new QSystemTrayIcon(QApplication::windowIcon(), this);
    tray_->setToolTip(tr("ProdMCP Console"));
    tray_->show();
  }
  connect(&session.alerts(), &AlertEvaluator::state_changed, this, &AlertBanner::notify);
  connect(&session.scraper(), &MetricsScraper::scraped, this, &AlertBanner::refresh);
}

void AlertBanner::notify(AlertStatus const& status, AlertState from) {
  refresh();
  if (!tray_ || status.state != AlertState::kFiring || from == AlertState::kFiring) return;
  tray_->showMessage(QString::fromStdString(status.rule->name), QString::fromStdString(status.rule->summary),
                     status.rule->severity == "critical" ? QSystemTrayIcon::Critical : QSystemTrayIcon::Warning, 10'000);
}

void AlertBanner::refresh() {
  QStringList firing;
  bool critical = false;
  qint64 const now = session_.now_ms();
  for (auto const& status : session_.alerts().states()) {
    if (status.state != AlertState::kFiring) continue;
    critical = critical || status.rule->severity == "critical";
    firing << session_.alerts().describe(status, now);
  }
  if (firing.isEmpty()) {
    hide();
    return;
  }
  setText(firing.join('\n'));
  auto const color = critical ? palette::kBad : palette::kWarn;
  setStyleSheet(QStringLiteral("QLabel { background: %1; color: white; font-weight: bold; }").arg(color.name()));
  show();
}

}  // namespace prodmcp::console
