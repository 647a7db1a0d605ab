#include "history_strip_delegate.hpp"

#include <QPainter>

#include "health/health_poller.hpp"
#include "palette.hpp"

namespace prodmcp::console {

void HistoryStripDelegate::paint(QPainter* painter, QStyleOptionViewItem const& option, QModelIndex const& index) const {
  QStyledItemDelegate::paint(painter, option, QModelIndex());  // background and selection only
  auto const states = index.data(role_).toList();
  if (states.isEmpty()) return;
  QRect const area = option.rect.adjusted(4, 5, -4, -5);
  int const tick = 4, gap = 1;
  int const fit = std::max(1, area.width() / (tick + gap));
  int const first = std::max<int>(0, int(states.size()) - fit);
  int x = area.right() - (int(states.size()) - first) * (tick + gap);
  painter->save();
  for (int i = first; i < states.size(); ++i, x += tick + gap) {
    QColor color = palette::kIdle;
    switch (CheckState(states[i].toInt())) {
      case CheckState::kHealthy: color = palette::kGood; break;
      case CheckState::kDegraded: color = palette::kWarn; break;
      case CheckState::kUnhealthy: color = palette::kBad; break;
      case CheckState::kUnknown: break;
    }
    painter->fillRect(QRect(x, area.top(), tick, area.height()), color);
  }
  painter->restore();
}

QSize HistoryStripDelegate::sizeHint(QStyleOptionViewItem const& option, QModelIndex const& index) const {
  return QStyledItemDelegate::sizeHint(option, index).expandedTo(QSize(300, 22));
}

}  // namespace prodmcp::console
