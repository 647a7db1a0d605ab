#include "trace/trace_model.hpp"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QUrlQuery>

#include "admin/admin_request.hpp"
#include "net/reply_limit.hpp"

namespace prodmcp::console {

namespace {

constexpr int kPageLimit = 500;
constexpr qint64 kMaxBodyBytes = qint64{8} << 20;

QString milliseconds(double ms) { return QString::number(ms, 'f', ms < 10 ? 2 : 1); }

TracedCall parse_call(QJsonObject const& object) {
  TracedCall call;
  call.seq = quint64(object.value("seq").toInteger());
  call.at_ms = object.value("at_unix_ms").toInteger();
  call.correlation_id = object.value("correlation_id").toString();
  call.session = object.value("session").toString();
  auto const id = object.value("client_id");
  call.client_id = id.isString() ? id.toString() : id.isDouble() ? QString::number(id.toInteger()) : QString();
  call.method = object.value("method").toString();
  call.name = object.value("name").toString();
  call.upstream = object.value("upstream").toString();
  call.outcome = object.value("outcome").toString();
  call.error = object.value("error").toString();
  call.total_ms = object.value("total_ms").toDouble();
  call.upstream_ms = object.value("upstream_ms").toDouble();
  call.gateway_ms = object.value("gateway_ms").toDouble();
  for (auto const& item : object.value("legs").toArray()) {
    auto const leg = item.toObject();
    call.legs.append({leg.value("upstream_id").toInteger(), leg.value("sent_after_ms").toDouble(),
                      leg.value("duration_ms").toDouble(), leg.value("outcome").toString()});
  }
  call.raw = object;
  return call;
}

}  // namespace

TraceModel::TraceModel(QObject* parent) : QAbstractTableModel(parent) {
  timer_.setInterval(1000);
  connect(&timer_, &QTimer::timeout, this, &TraceModel::poll_now);
}

void TraceModel::set_admin_url(QUrl const& admin_url) {
  if (admin_url == admin_url_) return;
  admin_url_ = admin_url;
  ++generation_;
  polling_ = false;
  next_ = 0;  // another server (or the same one restarted) numbers its calls afresh
  if (admin_url_.isEmpty()) {
    timer_.stop();
    return;
  }
  timer_.start();
  poll_now();
}

void TraceModel::clear() {
  beginResetModel();
  calls_.clear();
  endResetModel();
  emit updated();
}

void TraceModel::poll_now() {
  if (admin_url_.isEmpty() || polling_) return;
  polling_ = true;
  QUrl url = admin_url_;
  url.setPath("/trace");
  url.setQuery(QUrlQuery{{"after", QString::number(next_)}, {"limit", QString::number(kPageLimit)}});
  auto request = admin_request(url);
  request.setTransferTimeout(3000);
  auto* reply = network_.get(request);
  limit_reply_size(reply, kMaxBodyBytes);
  connect(reply, &QNetworkReply::finished, this, [this, reply, generation = generation_] {
    reply->deleteLater();
    if (generation != generation_) return;
    polling_ = false;
    auto const body = reply->readAll();
    error_ = admin_reply_problem(reply, body, kMaxBodyBytes);
    qsizetype taken = 0;
    if (error_.isEmpty()) {
      auto const page = QJsonDocument::fromJson(body).object();
      if (page.value("calls").isArray()) taken = take(page);
      else error_ = tr("/trace did not answer with calls");
    }
    emit updated();
    if (taken == kPageLimit) poll_now();  // a full page: more are waiting
  });
}

qsizetype TraceModel::take(QJsonObject const& page) {
  auto const calls = page.value("calls").toArray();
  // After a restart the server numbers from 1 again and answers an old cursor from its start.
  next_ = quint64(page.value("next").toInteger());
  skipped_ += quint64(page.value("skipped").toInteger());
  if (calls.isEmpty()) return 0;
  auto const first_new = int(calls_.size());
  beginInsertRows({}, first_new, first_new + int(calls.size()) - 1);
  for (auto const& item : calls) calls_.push_back(parse_call(item.toObject()));
  endInsertRows();
  if (calls_.size() > kMaxCalls) {
    auto const drop = int(calls_.size() - kMaxCalls);
    beginRemoveRows({}, 0, drop - 1);
    calls_.erase(calls_.begin(), calls_.begin() + drop);
    endRemoveRows();
  }
  return calls.size();
}

int TraceModel::rowCount(QModelIndex const& parent) const { return parent.isValid() ? 0 : int(calls_.size()); }

int TraceModel::columnCount(QModelIndex const& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QVariant TraceModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static QStringList const titles{tr("Time"),        tr("Correlation id"), tr("Method"),   tr("Name"),
                                  tr("Upstream"),    tr("Client id"),      tr("Upstream ids"), tr("Client leg ms"),
                                  tr("Upstream ms"), tr("Gateway ms"),     tr("Outcome")};
  return section >= 0 && section < titles.size() ? titles[section] : QVariant();
}

QVariant TraceModel::data(QModelIndex const& index, int role) const {
  if (!index.isValid() || index.row() >= int(calls_.size())) return {};
  auto const& call = calls_[std::size_t(index.row())];
  if (role == kCallRole) return index.row();
  if (role == Qt::ToolTipRole && index.column() == kOutcome) return call.error;
  if (role == Qt::TextAlignmentRole && index.column() >= kTotal && index.column() <= kGatewayTime)
    return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  if (role != Qt::DisplayRole) return {};
  switch (Column(index.column())) {
    case kTime: return QDateTime::fromMSecsSinceEpoch(call.at_ms).toString("HH:mm:ss.zzz");
    case kCorrelationId: return call.correlation_id;
    case kMethod: return call.method;
    case kName: return call.name;
    case kUpstream: return call.upstream;
    case kClientId: return call.client_id;
    case kUpstreamIds: {
      QStringList ids;
      for (auto const& leg : call.legs) ids << (leg.upstream_id > 0 ? QString::number(leg.upstream_id) : tr("not sent"));
      return ids.join(", ");
    }
    case kTotal: return milliseconds(call.total_ms);
    case kUpstreamTime: return milliseconds(call.upstream_ms);
    case kGatewayTime: return milliseconds(call.gateway_ms);
    case kOutcome:
      return call.outcome == "ok" ? call.outcome
                                  : call.outcome + QStringLiteral(": ") + call.error.left(80);
    case kColumnCount: break;
  }
  return {};
}

}  // namespace prodmcp::console
