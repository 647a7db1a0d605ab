#include "trace_page.hpp"

#include <QCheckBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QSplitter>
#include <QVBoxLayout>

namespace prodmcp::console {

namespace {

// The two legs as a person reads them.
QString describe(TracedCall const& call) {
  QStringList lines;
  lines << QObject::tr("%1 %2 at %3 · correlation id %4")
               .arg(call.method, call.name, QDateTime::fromMSecsSinceEpoch(call.at_ms).toString("yyyy-MM-dd HH:mm:ss.zzz"),
                    call.correlation_id);
  lines << QObject::tr("Client → gateway: JSON-RPC id %1%2, answered after %3 ms (%4)")
               .arg(call.client_id.isEmpty() ? QObject::tr("(none)") : call.client_id,
                    call.session.isEmpty() ? QObject::tr(", no session") : QObject::tr(", session %1…").arg(call.session))
               .arg(call.total_ms, 0, 'f', 3)
               .arg(call.outcome == "ok" ? call.outcome : call.outcome + ": " + call.error);
  int attempt = 0;
  for (auto const& leg : call.legs)
    lines << QObject::tr("Gateway → %1, attempt %2: id %3, sent %4 ms in, took %5 ms, %6")
                 .arg(call.upstream)
                 .arg(++attempt)
                 .arg(leg.upstream_id > 0 ? QString::number(leg.upstream_id) : QObject::tr("(not sent)"))
                 .arg(leg.sent_after_ms, 0, 'f', 3)
                 .arg(leg.duration_ms, 0, 'f', 3)
                 .arg(leg.outcome);
  if (call.legs.isEmpty()) lines << QObject::tr("Gateway → %1: nothing sent").arg(call.upstream);
  lines << QObject::tr("The gateway itself added %1 ms (auth, limits, routing, retries' waits, relaying).")
               .arg(call.gateway_ms, 0, 'f', 3);
  lines << QString() << QString::fromUtf8(QJsonDocument(call.raw).toJson(QJsonDocument::Indented));
  return lines.join('\n');
}

// What the console sent and what came back, as JSON where it is.
QString describe(McpExchange const& exchange) {
  auto const pretty = [](QByteArray const& body) {
    auto const document = QJsonDocument::fromJson(body);
    return document.isNull() ? QString::fromUtf8(body) : QString::fromUtf8(document.toJson(QJsonDocument::Indented));
  };
  return QObject::tr("%1 %2 (id %3) at %4 · HTTP %5 in %6 ms · correlation id %7 · %8\n\nSent:\n%9\nReceived:\n%10")
      .arg(exchange.method, exchange.name)
      .arg(exchange.id)
      .arg(QDateTime::fromMSecsSinceEpoch(exchange.sent_ms).toString("yyyy-MM-dd HH:mm:ss.zzz"))
      .arg(exchange.http_status)
      .arg(exchange.latency_ms, 0, 'f', 2)
      .arg(exchange.correlation_id.isEmpty() ? QObject::tr("none") : exchange.correlation_id, exchange.outcome,
           pretty(exchange.request), pretty(exchange.response));
}

}  // namespace

TracePage::TracePage(ConsoleSession& session, QWidget* parent) : QWidget(parent), session_(session) {
  auto& model = session.trace();
  filtered_.setSourceModel(&model);
  filtered_.setFilterKeyColumn(-1);  // any column
  filtered_.setFilterCaseSensitivity(Qt::CaseInsensitive);

  auto* layout = new QVBoxLayout(this);
  auto* bar = new QHBoxLayout;
  filter_ = new QLineEdit;
  filter_->setPlaceholderText(tr("Filter: a correlation id, method, tool, upstream or outcome"));
  filter_->setClearButtonEnabled(true);
  auto* follow = new QCheckBox(tr("Follow"));
  follow->setChecked(true);
  auto* clear = new QPushButton(tr("Clear"));
  bar->addWidget(filter_, 1);
  bar->addWidget(follow);
  bar->addWidget(clear);
  layout->addLayout(bar);
  status_ = new QLabel;
  status_->setWordWrap(true);
  layout->addWidget(status_);

  auto const make_table = [](QAbstractItemModel* model, int stretched) {
    auto* table = new QTableView;
    table->setModel(model);
    table->verticalHeader()->hide();
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setWordWrap(false);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->horizontalHeader()->setSectionResizeMode(stretched, QHeaderView::Stretch);
    return table;
  };
  table_ = make_table(&filtered_, TraceModel::kOutcome);
  filtered_messages_.setSourceModel(&session.messages());
  filtered_messages_.setFilterKeyColumn(-1);
  filtered_messages_.setFilterCaseSensitivity(Qt::CaseInsensitive);
  messages_table_ = make_table(&filtered_messages_, MessageLog::kOutcome);
  tabs_ = new QTabWidget;
  tabs_->addTab(table_, tr("Through the gateway (both legs)"));
  tabs_->addTab(messages_table_, tr("The console's own messages"));

  auto* below = new QWidget;
  auto* below_layout = new QVBoxLayout(below);
  below_layout->setContentsMargins(0, 0, 0, 0);
  details_ = new QPlainTextEdit;
  details_->setReadOnly(true);
  details_->setPlaceholderText(tr("Select a call to see both of its legs."));
  below_layout->addWidget(details_, 1);
  auto* actions = new QHBoxLayout;
  logs_ = new QPushButton(tr("Logs of this request"));
  charts_ = new QPushButton(tr("Show on charts"));
  actions->addWidget(logs_);
  actions->addWidget(charts_);
  actions->addStretch();
  below_layout->addLayout(actions);

  auto* splitter = new QSplitter(Qt::Vertical);
  splitter->addWidget(tabs_);
  splitter->addWidget(below);
  splitter->setSizes({420, 260});
  layout->addWidget(splitter, 1);

  connect(filter_, &QLineEdit::textChanged, &filtered_, &QSortFilterProxyModel::setFilterFixedString);
  connect(filter_, &QLineEdit::textChanged, &filtered_messages_, &QSortFilterProxyModel::setFilterFixedString);
  connect(messages_table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &TracePage::show_selected);
  connect(tabs_, &QTabWidget::currentChanged, this, &TracePage::show_selected);
  connect(&session.messages(), &QAbstractItemModel::rowsInserted, this, [this, follow] {
    if (follow->isChecked()) messages_table_->scrollToBottom();
  });
  connect(clear, &QPushButton::clicked, &model, &TraceModel::clear);
  connect(&model, &QAbstractItemModel::rowsInserted, this, [this, follow] {
    if (follow->isChecked()) table_->scrollToBottom();
  });
  connect(&model, &TraceModel::updated, this, &TracePage::refresh_status);
  connect(&session.messages(), &QAbstractItemModel::rowsInserted, this, &TracePage::refresh_status);
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &TracePage::show_selected);
  connect(logs_, &QPushButton::clicked, this, [this] {
    if (auto const* call = selected()) emit show_request_logs(call->correlation_id);
    else if (auto const* message = selected_message()) emit show_request_logs(message->correlation_id);
  });
  connect(charts_, &QPushButton::clicked, this, [this] {
    if (auto const* call = selected()) emit jump_to_time(call->at_ms);
    else if (auto const* message = selected_message()) emit jump_to_time(message->sent_ms);
  });
  refresh_status();
  show_selected();
}

void TracePage::show_correlation_id(QString const& id) { filter_->setText(id); }

McpExchange const* TracePage::selected_message() const {
  if (tabs_->currentWidget() != messages_table_) return nullptr;
  auto const index = messages_table_->currentIndex();
  if (!index.isValid()) return nullptr;
  auto const row = filtered_messages_.mapToSource(index).row();
  auto const& exchanges = session_.messages().exchanges();
  return row >= 0 && row < int(exchanges.size()) ? &exchanges[std::size_t(row)] : nullptr;
}

TracedCall const* TracePage::selected() const {
  if (tabs_->currentWidget() != table_) return nullptr;
  auto const index = table_->currentIndex();
  if (!index.isValid()) return nullptr;
  auto const row = filtered_.mapToSource(index).row();
  auto const& calls = session_.trace().calls();
  return row >= 0 && row < int(calls.size()) ? &calls[std::size_t(row)] : nullptr;
}

void TracePage::show_selected() {
  auto const* call = selected();
  auto const* message = selected_message();
  details_->setPlainText(call      ? describe(*call)
                         : message ? describe(*message)
                                   : QString());
  logs_->setEnabled(call || (message && !message->correlation_id.isEmpty()));
  charts_->setEnabled(call || message);
}

void TracePage::refresh_status() {
  auto const& model = session_.trace();
  QString text = tr("%n proxied call(s)", nullptr, model.rowCount()) +
                 tr(", %n message exchange(s) of the console's own client", nullptr, session_.messages().rowCount());
  if (filtered_.rowCount() != model.rowCount()) text += tr(", %n shown", nullptr, filtered_.rowCount());
  if (model.skipped() > 0) text += tr("; %1 went by before they were read (the server keeps the last 2000)").arg(model.skipped());
  if (!model.error().isEmpty()) text += tr("; %1").arg(model.error());
  if (model.rowCount() == 0 && model.error().isEmpty())
    text += tr(": calls to your upstream servers appear here as they happen, each with the client's leg and the "
               "gateway's legs upstream");
  status_->setText(text);
}

}  // namespace prodmcp::console
