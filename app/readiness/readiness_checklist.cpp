#include "readiness/readiness_checklist.hpp"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include "console_session.hpp"
#include "metrics/queries.hpp"

namespace prodmcp::console {

namespace {

constexpr unsigned char kJson = 1;
constexpr unsigned char kRequest = 2;
constexpr unsigned char kCorrelated = 4;

unsigned char classify(QByteArray const& line) {
  auto const object = QJsonDocument::fromJson(line).object();
  if (object.isEmpty() || !object.contains("timestamp") || !object.contains("level") || !object.contains("event"))
    return 0;
  unsigned char flags = kJson;
  if (object.value("event").toString() == QLatin1String("request")) {
    flags |= kRequest;
    if (!object.value("correlation_id").toString().isEmpty()) flags |= kCorrelated;
  }
  return flags;
}

}  // namespace

ReadinessChecklist::ReadinessChecklist(ConsoleSession& session, QObject* parent)
    : QAbstractTableModel(parent), session_(session) {
  connect(&session_, &ConsoleSession::log_lines, this, &ReadinessChecklist::take_log_lines);
  timer_.setInterval(2000);
  connect(&timer_, &QTimer::timeout, this, &ReadinessChecklist::refresh);
  timer_.start();
  refresh();
}

void ReadinessChecklist::take_log_lines(QList<QByteArray> const& lines) {
  for (auto const& line : lines) {
    if (line.trimmed().isEmpty()) continue;
    recent_.push_back(classify(line));
    if (recent_.size() > kLogWindow) recent_.pop_front();
  }
}

void ReadinessChecklist::refresh() {
  ReadinessEvidence e;
  for (auto const flags : recent_) {
    ++e.log_lines;
    e.json_log_lines += (flags & kJson) != 0;
    e.request_lines += (flags & kRequest) != 0;
    e.request_lines_with_correlation_id += (flags & kCorrelated) != 0;
  }
  auto const& scrape = session_.scraper().last_report();
  e.scrape_ok = scrape.ok;
  if (scrape.ok) {
    QString error;
    if (auto const answer = instant_query(session_.store(), "count(mcp_request_duration_seconds_bucket)", scrape.time_ms, error);
        answer && !answer->empty())
      e.request_metric_series = static_cast<int>(answer->front().value);
  }
  auto const& health = session_.health();
  if (auto const* liveness = health.latest(HealthPoller::kLiveness)) {
    e.live = liveness->state == CheckState::kHealthy;
    e.ready = health.ready();
    for (auto const& check : health.checks())
      if (check.name != HealthPoller::kLiveness && check.name != HealthPoller::kReadiness &&
          check.name != HealthPoller::kMcpRoundTrip)
        e.readiness_checks << check.name;
  }
  e.running_config = session_.config_editor().running();
  if (auto* supervisor = session_.supervisor()) {
    auto const facts = read_process_facts(supervisor->server().pid());
    e.uid = facts.uid;
    e.memory_limit = facts.memory_limit;
    e.address_space_limit = facts.address_space_limit;
  }
  for (auto const& status : session_.alerts().states()) {
    ++e.alert_rules;
    e.alert_rule_errors += !status.error.isEmpty();
  }
  int const before = score();
  evidence_ = std::move(e);
  auto items = assess_readiness(evidence_);
  if (items.size() == items_.size()) {
    // The same pillars every time: a change of cells, so a view keeps its selection and scroll.
    items_ = std::move(items);
    emit dataChanged(index(0, 0), index(rowCount() - 1, kColumnCount - 1));
  } else {
    beginResetModel();
    items_ = std::move(items);
    endResetModel();
  }
  if (score() != before) emit score_changed(score());
}

int ReadinessChecklist::rowCount(QModelIndex const& parent) const { return parent.isValid() ? 0 : int(items_.size()); }

int ReadinessChecklist::columnCount(QModelIndex const& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QVariant ReadinessChecklist::data(QModelIndex const& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
  auto const& item = items_[index.row()];
  if (role == kStateRole) return static_cast<int>(item.state);
  if (role == Qt::ToolTipRole) return index.column() == kFix ? item.fix : item.evidence;
  if (role != Qt::DisplayRole) return {};
  switch (index.column()) {
    case kPillar: return item.pillar;
    case kState: return readiness_state_name(item.state);
    case kEvidence: return item.evidence;
    case kFix: return item.state == ReadinessItem::State::kNotMet ? item.fix : QString();
  }
  return {};
}

QVariant ReadinessChecklist::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kPillar: return tr("Pillar");
    case kState: return tr("State");
    case kEvidence: return tr("Evidence from the running server");
    case kFix: return tr("To meet it");
  }
  return {};
}

}  // namespace prodmcp::console
