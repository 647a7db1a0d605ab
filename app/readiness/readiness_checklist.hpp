#pragma once
// The production-readiness checklist as a table (pillar, state, evidence, how to fix), kept up to
// date from what the console sees of its server: log lines, scrapes, probes, GET /config, the
// process and the alert rules.
#include <QAbstractTableModel>
#include <QTimer>
#include <deque>

#include "readiness/readiness_assessment.hpp"

namespace prodmcp::console {

class ConsoleSession;

class ReadinessChecklist : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { kPillar, kState, kEvidence, kFix, kColumnCount };
  enum Role { kStateRole = Qt::UserRole + 1 };  // int: the ReadinessItem::State
  static constexpr std::size_t kLogWindow = 500;  // lines judged

  explicit ReadinessChecklist(ConsoleSession& session, QObject* parent = nullptr);

  QList<ReadinessItem> const& items() const { return items_; }
  int score() const { return readiness_score(items_); }
  ReadinessEvidence const& evidence() const { return evidence_; }

  int rowCount(QModelIndex const& parent = {}) const override;
  int columnCount(QModelIndex const& parent = {}) const override;
  QVariant data(QModelIndex const& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 public slots:
  void refresh();

 signals:
  void score_changed(int score);

 private:
  void take_log_lines(QList<QByteArray> const& lines);

  ConsoleSession& session_;
  QTimer timer_;
  // Per recent line: bit 0 JSON, bit 1 a request line, bit 2 with a correlation id.
  std::deque<unsigned char> recent_;
  ReadinessEvidence evidence_;
  QList<ReadinessItem> items_;
};

}  // namespace prodmcp::console
