#pragma once
// Paints a row's background in a faint colour chosen from one of its model's roles (a status), so a
// table shows at a glance which rows need attention.
#include <QStyledItemDelegate>
#include <functional>

namespace prodmcp::console {

class StatusTintDelegate : public QStyledItemDelegate {
 public:
  // `tint` maps the role's value to a colour; an invalid QColor paints nothing.
  StatusTintDelegate(int role, std::function<QColor(QVariant const&)> tint, QObject* parent = nullptr)
      : QStyledItemDelegate(parent), role_(role), tint_(std::move(tint)) {}

  void paint(QPainter* painter, QStyleOptionViewItem const& option, QModelIndex const& index) const override;

 private:
  int role_;
  std::function<QColor(QVariant const&)> tint_;
};

}  // namespace prodmcp::console
