#include "sparkline_tile.hpp"

#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>

#include "palette.hpp"

namespace prodmcp::console {

SparklineTile::SparklineTile(ChartSpec spec, QWidget* parent) : QFrame(parent), spec_(std::move(spec)) {
  setFrameShape(QFrame::StyledPanel);
  setMinimumSize(180, 100);
  setToolTip(spec_.queries.front().expr);
}

void SparklineTile::set_points(QList<QPointF> points) {
  points.erase(std::remove_if(points.begin(), points.end(), [](QPointF const& p) { return !std::isfinite(p.y()); }),
               points.end());
  points_ = std::move(points);
  value_text_ = points_.isEmpty() ? QStringLiteral("–") : format_chart_value(points_.last().y(), spec_.unit);
  update();
}

void SparklineTile::paintEvent(QPaintEvent* event) {
  QFrame::paintEvent(event);
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  QRect const area = contentsRect().adjusted(10, 6, -10, -8);
  QFont title_font = font();
  title_font.setPointSizeF(font().pointSizeF() * 0.9);
  painter.setFont(title_font);
  painter.setPen(palette().color(QPalette::PlaceholderText));
  painter.drawText(area, Qt::AlignLeft | Qt::AlignTop, spec_.title);
  QFont value_font = font();
  value_font.setPointSizeF(font().pointSizeF() * 1.8);
  value_font.setBold(true);
  painter.setFont(value_font);
  painter.setPen(palette().color(QPalette::WindowText));
  QRect const value_area = area.adjusted(0, 16, 0, 0);
  painter.drawText(value_area, Qt::AlignLeft | Qt::AlignTop, value_text_);
  if (points_.size() < 2) return;
  QRectF const line_area(area.left(), area.top() + 56, area.width(), area.height() - 56);
  if (line_area.height() < 8) return;
  auto const [min_x, max_x] = std::minmax_element(points_.begin(), points_.end(),
                                                  [](QPointF const& a, QPointF const& b) { return a.x() < b.x(); });
  double max_y = 0;
  for (auto const& point : points_) max_y = std::max(max_y, point.y());
  double const span_x = std::max(1.0, max_x->x() - min_x->x());
  double const span_y = max_y > 0 ? max_y : 1;
  QPainterPath path;
  for (qsizetype i = 0; i < points_.size(); ++i) {
    QPointF const p(line_area.left() + (points_[i].x() - min_x->x()) / span_x * line_area.width(),
                    line_area.bottom() - points_[i].y() / span_y * line_area.height());
    i == 0 ? path.moveTo(p) : path.lineTo(p);
  }
  painter.setPen(QPen(palette::kAccent, 1.6));
  painter.drawPath(path);
}

}  // namespace prodmcp::console
