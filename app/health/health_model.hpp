#pragma once
// The health panel's table: one row per check (liveness, readiness, each dependency, MCP probe)
// with its state, latency, detail and recent history (a role the history-strip delegate paints).
#include <QAbstractTableModel>

#include "health/health_poller.hpp"

namespace prodmcp::console {

class HealthModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { kName, kState, kLatency, kDetail, kHistory, kColumnCount };
  enum Role {
    kStateRole = Qt::UserRole + 1,  // CheckState as int
    kHistoryRole,                   // QVariantList of CheckState ints, oldest first
  };

  explicit HealthModel(HealthPoller const& poller, QObject* parent = nullptr);

  int rowCount(QModelIndex const& parent = {}) const override;
  int columnCount(QModelIndex const& parent = {}) const override;
  QVariant data(QModelIndex const& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  // Called when the poller has new results.
  void refresh();

 private:
  HealthPoller const& poller_;
  int rows_ = 0;
};

}  // namespace prodmcp::console
