#pragma once
// Paints a check's recent states as a strip of coloured ticks (newest on the right).
#include <QStyledItemDelegate>

namespace prodmcp::console {

class HistoryStripDelegate : public QStyledItemDelegate {
  Q_OBJECT
 public:
  // `role` holds a QVariantList of CheckState ints, oldest first.
  HistoryStripDelegate(int role, QObject* parent = nullptr) : QStyledItemDelegate(parent), role_(role) {}
  void paint(QPainter* painter, QStyleOptionViewItem const& option, QModelIndex const& index) const override;
  QSize sizeHint(QStyleOptionViewItem const& option, QModelIndex const& index) const override;

 private:
  int role_;
};

}  // namespace prodmcp::console
