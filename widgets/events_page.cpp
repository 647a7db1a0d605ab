#include "events_page.hpp"

#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QScrollBar>
#include <QVBoxLayout>

#include "palette.hpp"

namespace prodmcp::console {

EventsPage::EventsPage(ConsoleSession& session, QWidget* parent) : QWidget(parent) {
  filter_.setSourceModel(&session.events());
  auto* layout = new QVBoxLayout(this);
  auto* range_row = new QHBoxLayout;
  range_label_ = new QLabel;
  auto* clear = new QPushButton(tr("Show all"));
  range_row->addWidget(range_label_, 1);
  range_row->addWidget(clear);
  layout->addLayout(range_row);
  table_ = new QTableView;
  table_->setModel(&filter_);
  table_->verticalHeader()->hide();
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setAlternatingRowColors(true);
  table_->horizontalHeader()->setSectionResizeMode(EventLog::kMessage, QHeaderView::Stretch);
  table_->setColumnWidth(EventLog::kTime, 150);
  table_->setColumnWidth(EventLog::kSource, 120);
  table_->setColumnWidth(EventLog::kKind, 130);
  table_->setWordWrap(false);
  layout->addWidget(table_, 1);
  connect(clear, &QPushButton::clicked, this, &EventsPage::clear_time_range);
  // Follow the newest event unless the operator scrolled up to read.
  connect(&filter_, &QAbstractItemModel::rowsInserted, this, [this] {
    auto* bar = table_->verticalScrollBar();
    if (bar->value() >= bar->maximum() - 2) table_->scrollToBottom();
  });
  clear_time_range();
}

void EventsPage::set_time_range(qint64 from_ms, qint64 to_ms) {
  filter_.set_time_range(from_ms, to_ms);
  range_label_->setText(tr("Events from %1 to %2")
                            .arg(QDateTime::fromMSecsSinceEpoch(from_ms).toString("hh:mm:ss"),
                                 QDateTime::fromMSecsSinceEpoch(to_ms).toString("hh:mm:ss")));
}

void EventsPage::clear_time_range() {
  filter_.clear_time_range();
  range_label_->setText(tr("All events"));
}

}  // namespace prodmcp::console
