#pragma once
// Every JSON-RPC exchange of the console's own MCP client (the tool explorer's calls, the catalog's
// lists): what was sent and what came back, with its HTTP status, time and correlation id, for
// the Trace page's protocol view. Bounded: the newest are kept.
#include <QAbstractTableModel>
#include <QByteArray>
#include <deque>

namespace prodmcp::console {

struct McpExchange {
  qint64 sent_ms = 0;  // since the epoch
  int id = 0;
  QString method;
  QString name;  // the tool, resource URI or prompt, when there is one
  QByteArray request;
  QByteArray response;  // the body as received (cut at kMaxBodyBytes)
  int http_status = 0;
  double latency_ms = 0;
  QString correlation_id;
  QString outcome;  // "ok", or the problem
};

class MessageLog : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { kTime, kMethod, kName, kId, kHttpStatus, kLatency, kCorrelationId, kOutcome, kColumnCount };
  static constexpr std::size_t kMaxExchanges = 1000;
  static constexpr qsizetype kMaxBodyBytes = 64 * 1024;

  explicit MessageLog(QObject* parent = nullptr) : QAbstractTableModel(parent) {}
  void add(McpExchange exchange);
  std::deque<McpExchange> const& exchanges() const { return exchanges_; }

  int rowCount(QModelIndex const& parent = {}) const override;
  int columnCount(QModelIndex const& parent = {}) const override;
  QVariant data(QModelIndex const& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  std::deque<McpExchange> exchanges_;
};

}  // namespace prodmcp::console
