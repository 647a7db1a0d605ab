#pragma once
// A key number with its recent trend: title, the newest value large, a sparkline below.
#include <QFrame>
#include <QList>
#include <QPointF>

#include "metrics/chart_catalog.hpp"

namespace prodmcp::console {

class SparklineTile : public QFrame {
  Q_OBJECT
 public:
  explicit SparklineTile(ChartSpec spec, QWidget* parent = nullptr);
  ChartSpec const& spec() const { return spec_; }
  void set_points(QList<QPointF> points);
  QString value_text() const { return value_text_; }
  QSize sizeHint() const override { return {220, 110}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  ChartSpec spec_;
  QList<QPointF> points_;
  QString value_text_ = QStringLiteral("–");
};

}  // namespace prodmcp::console
