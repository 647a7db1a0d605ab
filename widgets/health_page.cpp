#include "health_page.hpp"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QVBoxLayout>

#include "history_strip_delegate.hpp"
#include "palette.hpp"

namespace prodmcp::console {

HealthPage::HealthPage(ConsoleSession& session, QWidget* parent) : QWidget(parent), session_(session) {
  auto* layout = new QVBoxLayout(this);
  summary_ = new QLabel;
  summary_->setTextFormat(Qt::RichText);
  layout->addWidget(summary_);

  table_ = new QTableView;
  table_->setModel(&session.health_model());
  table_->setItemDelegateForColumn(HealthModel::kHistory,
                                   new HistoryStripDelegate(HealthModel::kHistoryRole, table_));
  table_->verticalHeader()->hide();
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setAlternatingRowColors(true);
  table_->horizontalHeader()->setStretchLastSection(false);
  table_->horizontalHeader()->setSectionResizeMode(HealthModel::kDetail, QHeaderView::Stretch);
  table_->horizontalHeader()->setSectionResizeMode(HealthModel::kHistory, QHeaderView::Fixed);
  table_->horizontalHeader()->setSectionResizeMode(HealthModel::kName, QHeaderView::ResizeToContents);
  table_->setColumnWidth(HealthModel::kHistory, 250);
  table_->setColumnWidth(HealthModel::kState, 90);
  table_->setColumnWidth(HealthModel::kLatency, 80);
  table_->setWordWrap(false);

  auto* tools_box = new QGroupBox(tr("Tools offered (live tools/list)"));
  auto* tools_layout = new QVBoxLayout(tools_box);
  tools_ = new QListWidget;
  tools_layout->addWidget(tools_);
  tools_box->setMaximumWidth(260);

  auto* row = new QHBoxLayout;
  row->addWidget(table_, 1);
  row->addWidget(tools_box);
  layout->addLayout(row, 1);
  connect(&session.health(), &HealthPoller::updated, this, &HealthPage::refresh);
  connect(&session, &ConsoleSession::endpoints_changed, this, &HealthPage::refresh);
  refresh();
}

QString HealthPage::status_badges(HealthPoller const& health) {
  bool const live = health.live();
  return palette::badge(live ? tr("alive") : tr("not answering"), live ? palette::kGood : palette::kBad) + " " +
         palette::badge(health.ready() ? tr("ready") : tr("not ready"), health.ready() ? palette::kGood : palette::kBad);
}

void HealthPage::refresh() {
  auto const& health = session_.health();
  if (session_.admin_url().isEmpty()) {
    summary_->setText(palette::badge(tr("not watching"), palette::kIdle) + tr("  the server is not running"));
  } else if (health.checks().empty()) {
    summary_->setText(palette::badge(tr("checking"), palette::kIdle));
  } else {
    QString text = status_badges(health);
    if (health.shutting_down()) text += "  " + palette::badge(tr("shutting down"), palette::kWarn);
    if (health.consecutive_failures() > 0) text += tr("  %n failed checks in a row", nullptr, health.consecutive_failures());
    summary_->setText(text);
  }
  if (tools_->count() != health.tools().size() ||
      (tools_->count() > 0 && tools_->item(0)->text() != health.tools().value(0))) {
    tools_->clear();
    tools_->addItems(health.tools());
  }
}

}  // namespace prodmcp::console
