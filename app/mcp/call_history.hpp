#pragma once
// The tool explorer's history: each call with its arguments, outcome, latency and correlation id,
// newest last and bounded, so a call can be looked at again or replayed.
#include <QAbstractTableModel>
#include <QJsonObject>
#include <deque>

#include "mcp/mcp_client.hpp"

namespace prodmcp::console {

struct CallRecord {
  qint64 time_ms = 0;
  QString tool;
  QJsonObject arguments;
  McpAnswer answer;
  // "ok", "tool error" (a result with isError) or "error" (JSON-RPC or transport).
  QString outcome() const;
};

class CallHistory : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { kTime, kTool, kArguments, kOutcome, kLatency, kCorrelationId, kColumnCount };
  static constexpr std::size_t kCapacity = 500;

  using QAbstractTableModel::QAbstractTableModel;
  void add(CallRecord record);
  CallRecord const& at(int row) const { return records_[std::size_t(row)]; }

  int rowCount(QModelIndex const& parent = {}) const override;
  int columnCount(QModelIndex const& parent = {}) const override;
  QVariant data(QModelIndex const& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  std::deque<CallRecord> records_;
};

}  // namespace prodmcp::console
