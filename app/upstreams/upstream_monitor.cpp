#include "upstreams/upstream_monitor.hpp"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <cmath>

#include "admin/admin_request.hpp"
#include "metrics/promql.hpp"
#include "net/reply_limit.hpp"

namespace prodmcp::console {

namespace {

constexpr int kTimeoutMs = 3000;
constexpr qint64 kMaxBodyBytes = qint64{4} << 20;  // 500 tool names each for a few dozen upstreams

std::string traffic_query(char const* form) {
  return QString::fromLatin1(form).arg(QLatin1String(UpstreamMonitor::kTrafficWindow)).toStdString();
}

QString seconds_text(double seconds) {
  if (std::isnan(seconds)) return QStringLiteral("–");
  return seconds < 1 ? QStringLiteral("%1 ms").arg(seconds * 1000, 0, 'f', seconds < 0.01 ? 2 : 1)
                     : QStringLiteral("%1 s").arg(seconds, 0, 'f', 2);
}

}  // namespace

// Parsed once: evaluated after every scrape.
struct UpstreamMonitor::Queries {
  struct Query {
    metrics::PromqlParseResult parsed;
    double UpstreamTraffic::*field;
  };
  std::vector<Query> all;
  Queries() {
    auto add = [this](char const* form, double UpstreamTraffic::*field) {
      all.push_back({metrics::parse_promql(traffic_query(form)), field});
    };
    add("sum by (upstream) (rate(mcp_upstream_requests_total[%1]))", &UpstreamTraffic::calls_per_second);
    add("sum by (upstream) (rate(mcp_upstream_requests_total{status!=\"ok\"}[%1])) / "
        "sum by (upstream) (rate(mcp_upstream_requests_total[%1]))",
        &UpstreamTraffic::error_ratio);
    add("histogram_quantile(0.5, sum by (upstream, le) (rate(mcp_upstream_request_duration_seconds_bucket[%1])))",
        &UpstreamTraffic::p50_seconds);
    add("histogram_quantile(0.95, sum by (upstream, le) (rate(mcp_upstream_request_duration_seconds_bucket[%1])))",
        &UpstreamTraffic::p95_seconds);
  }
};

UpstreamMonitor::UpstreamMonitor(metrics::SeriesStore const& store, QObject* parent)
    : QAbstractTableModel(parent), store_(store), queries_(std::make_unique<Queries>()) {
  qRegisterMetaType<UpstreamState>();  // queued connections and signal spies carry it
  timer_.setInterval(2000);
  connect(&timer_, &QTimer::timeout, this, &UpstreamMonitor::poll_now);
}

UpstreamMonitor::~UpstreamMonitor() = default;

void UpstreamMonitor::set_admin_url(QUrl const& admin_url) {
  if (admin_url == admin_url_) return;
  admin_url_ = admin_url;
  ++generation_;
  polling_ = false;
  if (admin_url_.isEmpty()) {
    timer_.stop();
    emit updated();
    return;
  }
  timer_.start();
  poll_now();
}

UpstreamStatus const* UpstreamMonitor::find(QString const& name) const {
  for (auto const& upstream : upstreams_)
    if (upstream.name == name) return &upstream;
  return nullptr;
}

UpstreamTraffic UpstreamMonitor::traffic(QString const& name) const {
  auto const found = traffic_.find(name);
  return found == traffic_.end() ? UpstreamTraffic{} : found->second;
}

QString UpstreamMonitor::upstream_of_tool(QString const& tool) const {
  for (auto const& upstream : upstreams_)
    if (upstream.tools.contains(tool)) return upstream.name;
  return {};
}

void UpstreamMonitor::poll_now() {
  if (admin_url_.isEmpty() || polling_) return;
  polling_ = true;
  QUrl url = admin_url_;
  url.setPath("/upstreams");
  auto request = admin_request(url);
  request.setTransferTimeout(kTimeoutMs);
  auto* reply = network_.get(request);
  limit_reply_size(reply, kMaxBodyBytes);
  connect(reply, &QNetworkReply::finished, this, [this, reply, generation = generation_] {
    reply->deleteLater();
    if (generation != generation_) return;
    polling_ = false;
    ++polls_;
    auto const body = reply->readAll();
    QString error = admin_reply_problem(reply, body, kMaxBodyBytes);
    QList<UpstreamStatus> upstreams;
    if (error.isEmpty()) upstreams = parse_upstreams(body, error);
    error_ = error;
    if (error.isEmpty()) take(std::move(upstreams));
    emit updated();
  });
}

void UpstreamMonitor::take(QList<UpstreamStatus> upstreams) {
  for (auto const& now : upstreams) {
    auto const* before = find(now.name);
    if (!before) continue;
    if (before->display_state() != now.display_state())
      emit state_changed(now.name, before->display_state(), now.display_state(), now.detail);
    if (now.restarts > before->restarts) emit restarted(now.name, now.restarts, now.last_exit_summary());
  }
  bool const same_rows = upstreams.size() == upstreams_.size() &&
                         std::equal(upstreams.begin(), upstreams.end(), upstreams_.begin(),
                                    [](auto const& a, auto const& b) { return a.name == b.name; });
  if (!same_rows) beginResetModel();
  upstreams_ = std::move(upstreams);
  if (!same_rows) endResetModel();
  else if (!upstreams_.isEmpty()) emit dataChanged(index(0, 0), index(rowCount() - 1, kColumnCount - 1));
}

void UpstreamMonitor::refresh_traffic(qint64 time_ms) {
  std::map<QString, UpstreamTraffic> traffic;
  for (auto const& query : queries_->all) {
    if (!query.parsed.ok()) continue;
    auto const result = metrics::evaluate_instant(store_, *query.parsed.expr, time_ms);
    for (auto const& sample : result.vector)
      for (auto const& label : sample.labels)
        if (label.name == "upstream") traffic[QString::fromStdString(label.value)].*query.field = sample.value;
  }
  // Calls without a failed one have no error series: their ratio is 0, not unknown.
  for (auto& [name, figures] : traffic)
    if (figures.calls_per_second > 0 && std::isnan(figures.error_ratio)) figures.error_ratio = 0;
  traffic_ = std::move(traffic);
  if (!upstreams_.isEmpty()) emit dataChanged(index(0, kCallsPerSecond), index(rowCount() - 1, kP95));
}

void UpstreamMonitor::restart(QString const& name) {
  if (admin_url_.isEmpty()) {
    emit restart_answered(name, false, tr("the server is not running"));
    return;
  }
  QUrl url = admin_url_;
  url.setPath("/upstreams/restart");
  auto request = admin_request(url);
  request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
  request.setTransferTimeout(kTimeoutMs);
  auto* reply = network_.post(request, QJsonDocument(QJsonObject{{"upstream", name}}).toJson(QJsonDocument::Compact));
  limit_reply_size(reply, kMaxBodyBytes);
  connect(reply, &QNetworkReply::finished, this, [this, reply, name] {
    reply->deleteLater();
    int const status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    auto const body = reply->readAll();
    if (status == 202) {
      emit restart_answered(name, true, tr("restarting %1").arg(name));
      poll_now();
      return;
    }
    auto const said = QJsonDocument::fromJson(body).object().value("error").toString();
    emit restart_answered(name, false,
                          status == 401 || status == 403 ? admin_refusal(status, body)
                          : !said.isEmpty()              ? said
                          : status == 0                  ? reply->errorString()
                                                         : tr("HTTP %1").arg(status));
  });
}

int UpstreamMonitor::rowCount(QModelIndex const& parent) const { return parent.isValid() ? 0 : int(upstreams_.size()); }

int UpstreamMonitor::columnCount(QModelIndex const& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QVariant UpstreamMonitor::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static QStringList const titles{tr("Upstream"), tr("State"),  tr("Transport"), tr("Process"),
                                  tr("Sessions"), tr("Restarts"), tr("Last exit"), tr("Calls/s"),
                                  tr("Errors"),   tr("p50"),      tr("p95"),       tr("Tools")};
  return section >= 0 && section < titles.size() ? titles[section] : QVariant();
}

QVariant UpstreamMonitor::data(QModelIndex const& index, int role) const {
  if (!index.isValid() || index.row() >= upstreams_.size()) return {};
  auto const& upstream = upstreams_[index.row()];
  if (role == kStateRole) return int(upstream.display_state());
  if (role == Qt::ToolTipRole) {
    if (index.column() == kState) return upstream.detail;
    if (index.column() == kLastExit && upstream.has_exit)
      return QStringLiteral("%1 at %2\n%3")
          .arg(upstream.last_exit.description,
               QDateTime::fromMSecsSinceEpoch(upstream.last_exit.at_ms).toString("HH:mm:ss"),
               upstream.last_exit.stderr_tail.join('\n'));
    if (index.column() == kTools) return upstream.tools.join('\n');
    if (index.column() == kName) return upstream.target;
    return {};
  }
  if (role == Qt::TextAlignmentRole && index.column() >= kRestarts && index.column() != kLastExit)
    return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  if (role != Qt::DisplayRole) return {};
  auto const traffic = this->traffic(upstream.name);
  switch (Column(index.column())) {
    case kName: return upstream.name;
    case kState: return upstream_state_name(upstream.display_state());
    case kTransport: return upstream.transport;
    case kProcess: {
      QString process = upstream.pid > 0                   ? tr("pid %1").arg(upstream.pid)
                        : !upstream.remote_session.isEmpty() ? tr("session %1").arg(upstream.remote_session)
                                                             : QStringLiteral("–");
      if (int const children = upstream.client_children; children > 0) {
        bool const http = upstream.transport == "http";
        process += tr(" + %1 of client sessions").arg(children == 1 ? (http ? tr("1 session") : tr("1 child"))
                                                                    : (http ? tr("%1 sessions") : tr("%1 children")).arg(children));
      }
      return process;
    }
    case kSessions: return upstream.sessions;
    case kRestarts: return upstream.restarts;
    case kLastExit: return upstream.has_exit ? upstream.last_exit_summary() : QStringLiteral("–");
    case kCallsPerSecond:
      return std::isnan(traffic.calls_per_second) ? QStringLiteral("–") : QString::number(traffic.calls_per_second, 'f', 1);
    case kErrorRatio:
      return std::isnan(traffic.error_ratio) ? QStringLiteral("–")
                                             : QStringLiteral("%1 %").arg(traffic.error_ratio * 100, 0, 'f', 1);
    case kP50: return seconds_text(traffic.p50_seconds);
    case kP95: return seconds_text(traffic.p95_seconds);
    case kTools: return upstream.tool_count;
    case kColumnCount: break;
  }
  return {};
}

}  // namespace prodmcp::console
