#include "main_window.hpp"

#include <QFrame>
#include <QHBoxLayout>
#include <QStatusBar>
#include <QVBoxLayout>

#include "events_page.hpp"
#include "fleet_page.hpp"
#include "health_page.hpp"
#include "supervision_bar.hpp"

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

  add_page(tr("Health"), health_page_ = new HealthPage(session));
  add_page(tr("Fleet"), fleet_page_ = new FleetPage(session));
  add_page(tr("Events"), events_page_ = new EventsPage(session));
  connect(navigation_, &QListWidget::currentRowChanged, pages_, &QStackedWidget::setCurrentIndex);
  navigation_->setCurrentRow(0);

  connect(&session.events(), &EventLog::added, this, [this](Event const& event) {
    statusBar()->showMessage(QStringLiteral("%1 · %2").arg(event.source, event.message), 10'000);
  });
}

void MainWindow::add_page(QString const& title, QWidget* page) {
  navigation_->addItem(title);
  pages_->addWidget(page);
}

bool MainWindow::show_page(QString const& title) {
  auto const found = navigation_->findItems(title, Qt::MatchExactly);
  if (found.isEmpty()) return false;
  navigation_->setCurrentItem(found.first());
  return true;
}

}  // namespace prodmcp::console
