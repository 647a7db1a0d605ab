#include "mcp/message_log.hpp"

#include <QDateTime>

namespace prodmcp::console {

void MessageLog::add(McpExchange exchange) {
  if (exchange.response.size() > kMaxBodyBytes) {
    exchange.response.truncate(kMaxBodyBytes);
    exchange.response += "\n… (cut at 64 KiB)";
  }
  if (exchanges_.size() == kMaxExchanges) {
    beginRemoveRows({}, 0, 0);
    exchanges_.pop_front();
    endRemoveRows();
  }
  beginInsertRows({}, int(exchanges_.size()), int(exchanges_.size()));
  exchanges_.push_back(std::move(exchange));
  endInsertRows();
}

int MessageLog::rowCount(QModelIndex const& parent) const { return parent.isValid() ? 0 : int(exchanges_.size()); }

int MessageLog::columnCount(QModelIndex const& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QVariant MessageLog::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  static QStringList const titles{tr("Time"), tr("Method"), tr("Name"),           tr("Id"),
                                  tr("HTTP"), tr("ms"),     tr("Correlation id"), tr("Outcome")};
  return section >= 0 && section < titles.size() ? titles[section] : QVariant();
}

QVariant MessageLog::data(QModelIndex const& index, int role) const {
  if (!index.isValid() || index.row() >= int(exchanges_.size()) || role != Qt::DisplayRole) return {};
  auto const& exchange = exchanges_[std::size_t(index.row())];
  switch (Column(index.column())) {
    case kTime: return QDateTime::fromMSecsSinceEpoch(exchange.sent_ms).toString("HH:mm:ss.zzz");
    case kMethod: return exchange.method;
    case kName: return exchange.name;
    case kId: return exchange.id;
    case kHttpStatus: return exchange.http_status ? QVariant(exchange.http_status) : QVariant(QStringLiteral("–"));
    case kLatency: return QString::number(exchange.latency_ms, 'f', 2);
    case kCorrelationId: return exchange.correlation_id;
    case kOutcome: return exchange.outcome;
    case kColumnCount: break;
  }
  return {};
}

}  // namespace prodmcp::console
