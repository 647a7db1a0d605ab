#include "fleet/fleet_monitor.hpp"

#include <QElapsedTimer>
#include <QNetworkReply>
#include <algorithm>
#include <memory>
#include <numeric>

namespace prodmcp::console {

QString fleet_alert_name(FleetAlert alert) {
  switch (alert) {
    case FleetAlert::kNone: return QStringLiteral("none");
    case FleetAlert::kMedium: return QStringLiteral("medium");
    case FleetAlert::kHigh: return QStringLiteral("high");
  }
  return {};
}

double FleetStatus::availability() const {
  if (recent.empty()) return -1;
  auto const passed = std::count_if(recent.begin(), recent.end(), [](FleetCheck const& c) { return c.ok; });
  return double(passed) / double(recent.size());
}

double FleetStatus::mean_response_ms() const {
  double total = 0;
  int passed = 0;
  for (auto const& check : recent) {
    if (!check.ok) continue;
    total += check.response_ms;
    ++passed;
  }
  return passed ? total / passed : 0;
}

FleetAlert FleetStatus::alert() const {
  if (consecutive_failures >= FleetMonitor::kHighAfter) return FleetAlert::kHigh;
  if (consecutive_failures >= FleetMonitor::kMediumAfter) return FleetAlert::kMedium;
  return FleetAlert::kNone;
}

int FleetStatus::health_score() const {
  if (recent.empty()) return -1;
  if (consecutive_failures >= FleetMonitor::kHighAfter) return 0;
  double const response = mean_response_ms();
  double const speed = availability() > 0 ? std::clamp((2000.0 - response) / (2000.0 - 100.0), 0.0, 1.0) : 0.0;
  double const ready = recent.back().ready ? 1.0 : 0.0;
  return int(std::lround(60 * availability() + 25 * speed + 15 * ready));
}

FleetMonitor::FleetMonitor(QObject* parent) : QAbstractTableModel(parent) {
  timer_.setInterval(30'000);
  connect(&timer_, &QTimer::timeout, this, &FleetMonitor::check_all);
  timer_.start();
}

int FleetMonitor::add(FleetTarget target) {
  auto existing = std::find_if(members_.begin(), members_.end(),
                               [&](FleetStatus const& m) { return m.target.name == target.name; });
  if (existing != members_.end()) {
    int const row = int(existing - members_.begin());
    *existing = FleetStatus{};
    existing->target = std::move(target);
    emit dataChanged(index(row, 0), index(row, kColumnCount - 1));
    check(std::size_t(row));
    return row;
  }
  int const row = int(members_.size());
  beginInsertRows({}, row, row);
  members_.emplace_back().target = std::move(target);
  endInsertRows();
  check(std::size_t(row));
  return row;
}

void FleetMonitor::remove(int row) {
  if (row < 0 || row >= int(members_.size())) return;
  beginRemoveRows({}, row, row);
  members_.erase(members_.begin() + row);
  endRemoveRows();
}

void FleetMonitor::update_urls(QString const& name, QUrl const& admin_url, QUrl const& mcp_url) {
  for (std::size_t row = 0; row < members_.size(); ++row) {
    auto& target = members_[row].target;
    if (target.name != name) continue;
    target.admin_url = admin_url;
    target.mcp_url = mcp_url;
    if (!admin_url.isEmpty()) check(row);
    return;
  }
}

void FleetMonitor::check_all() {
  for (std::size_t row = 0; row < members_.size(); ++row) check(row);
}

// /health then /ready; the check passes when /health answers 200 within the timeout.
void FleetMonitor::check(std::size_t row) {
  auto& member = members_[row];
  if (member.in_flight) return;
  QString const name = member.target.name;
  if (member.target.admin_url.isEmpty()) {
    // A supervised server that has not come up yet is not down; one that was up and went is.
    if (member.checks > 0) record(name, {}, tr("not running"));
    return;
  }
  member.in_flight = true;
  auto request_for = [&](QString const& path) {
    QUrl url = member.target.admin_url;
    url.setPath(path);
    QNetworkRequest request(url);
    request.setTransferTimeout(timeout_ms_);
    return request;
  };
  QElapsedTimer clock;
  clock.start();
  QNetworkReply* health = network_.get(request_for("/health"));
  QNetworkReply* ready = network_.get(request_for("/ready"));
  auto remaining = std::make_shared<int>(2);
  auto result = std::make_shared<FleetCheck>();
  auto error = std::make_shared<QString>();
  auto finish = [this, name, remaining, result, error] {
    if (--*remaining == 0) record(name, *result, *error);
  };
  connect(health, &QNetworkReply::finished, this, [health, clock, result, error, finish] {
    health->deleteLater();
    int const status = health->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result->ok = status == 200;
    result->response_ms = double(clock.elapsed());
    if (!result->ok) *error = status ? QStringLiteral("/health answered HTTP %1").arg(status) : health->errorString();
    finish();
  });
  connect(ready, &QNetworkReply::finished, this, [ready, result, finish] {
    ready->deleteLater();
    result->ready = ready->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200;
    finish();
  });
}

void FleetMonitor::record(QString const& name, FleetCheck check, QString const& error) {
  auto member = std::find_if(members_.begin(), members_.end(), [&](FleetStatus const& m) { return m.target.name == name; });
  if (member == members_.end()) return;  // removed while the check ran
  FleetAlert const before = member->alert();
  member->in_flight = false;
  member->recent.push_back(check);
  if (member->recent.size() > FleetStatus::kWindow) member->recent.pop_front();
  ++member->checks;
  member->consecutive_failures = check.ok ? 0 : member->consecutive_failures + 1;
  member->last_error = check.ok ? QString() : error;
  int const row = int(member - members_.begin());
  emit dataChanged(index(row, 0), index(row, kColumnCount - 1));
  if (member->alert() != before)
    emit alert_changed(name, member->alert(),
                       check.ok ? tr("recovered") : tr("%n consecutive failed checks: %1", nullptr,
                                                       member->consecutive_failures).arg(error));
}

int FleetMonitor::rowCount(QModelIndex const& parent) const { return parent.isValid() ? 0 : int(members_.size()); }
int FleetMonitor::columnCount(QModelIndex const& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QVariant FleetMonitor::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kName: return tr("Server");
    case kEnvironment: return tr("Environment");
    case kStatus: return tr("Status");
    case kAvailability: return tr("Availability");
    case kResponse: return tr("Response");
    case kFailures: return tr("Failed in a row");
    case kScore: return tr("Health score");
    case kAlert: return tr("Alert");
  }
  return {};
}

QVariant FleetMonitor::data(QModelIndex const& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
  auto const& member = members_[std::size_t(index.row())];
  if (role == kAlertRole) return int(member.alert());
  if (role == kScoreRole) return member.health_score();
  if (role == Qt::ToolTipRole)
    return member.last_error.isEmpty() ? member.target.admin_url.toString() : member.last_error;
  if (role != Qt::DisplayRole) return {};
  bool const checked = !member.recent.empty();
  switch (index.column()) {
    case kName: return member.target.supervised ? member.target.name + tr(" (supervised)") : member.target.name;
    case kEnvironment: return member.target.environment;
    case kStatus:
      if (!checked) return tr("checking");
      if (!member.recent.back().ok) return tr("down");
      return member.recent.back().ready ? tr("up, ready") : tr("up, not ready");
    case kAvailability: return checked ? QStringLiteral("%1 %").arg(member.availability() * 100, 0, 'f', 1) : QString();
    case kResponse:
      return checked && member.availability() > 0 ? QStringLiteral("%1 ms").arg(member.mean_response_ms(), 0, 'f', 0)
                                                   : QString();
    case kFailures: return member.consecutive_failures;
    case kScore: return checked ? QVariant(member.health_score()) : QVariant();
    case kAlert: return fleet_alert_name(member.alert());
  }
  return {};
}

}  // namespace prodmcp::console
