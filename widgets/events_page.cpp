#include "events_page.hpp"

#include <QDateTime>
#include <QFileDialog>
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
  // Record the session (metrics, logs, health, events) for a post-mortem or an offline demo:
  // `prodmcp-console --replay FILE` plays it back.
  record_button_ = new QPushButton(tr("Record…"));
  record_button_->setToolTip(tr("Save this session's scrapes, log lines, health polls and events to a file, "
                                "to replay with prodmcp-console --replay FILE [--replay-speed N]"));
  record_button_->setEnabled(!session.options().replaying());
  range_row->addWidget(record_button_);
  connect(record_button_, &QPushButton::clicked, this, [this, &session] {
    auto& recorder = session.recorder();
    if (recorder.recording()) return recorder.stop();
    auto const path = QFileDialog::getSaveFileName(this, tr("Record the session to"), QStringLiteral("prodmcp-session.jsonl"),
                                                   tr("Console recordings (*.jsonl);;All files (*)"));
    QString error;
    if (!path.isEmpty() && !recorder.start(path, &error)) range_label_->setText(tr("Cannot record: %1").arg(error));
  });
  connect(&session.recorder(), &SessionRecorder::recording_changed, this, [this, &session](bool recording) {
    record_button_->setText(recording ? tr("Stop recording") : tr("Record…"));
    if (!recording && !session.recorder().problem().isEmpty())
      range_label_->setText(tr("Recording stopped: %1").arg(session.recorder().problem()));
  });
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
