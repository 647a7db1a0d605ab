#include "status_tint_delegate.hpp"

#include <QPainter>

namespace prodmcp::console {

void StatusTintDelegate::paint(QPainter* painter, QStyleOptionViewItem const& option, QModelIndex const& index) const {
  if (auto color = tint_(index.data(role_)); color.isValid()) {
    color.setAlpha(40);
    painter->fillRect(option.rect, color);
  }
  QStyledItemDelegate::paint(painter, option, index);
}

}  // namespace prodmcp::console
