// Plots a benchmark's CSV (first column the x axis in seconds, every other column one series) as a
// PNG: one chart per series, stacked, with Qt Charts, offscreen.
//
//   prodmcp_plot_series IN.csv OUT.png "Title" ["column=limit" ...]
//
// A "column=limit" draws a dashed horizontal line at the limit on that column's chart (a ceiling).
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QFile>
#include <QLineSeries>
#include <QPainter>
#include <QPixmap>
#include <QTextStream>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QWidget>
#include <cmath>
#include <cstdio>
#include <algorithm>
#include <map>
#include <vector>

int main(int argc, char** argv) {
  qputenv("QT_QPA_PLATFORM", qgetenv("QT_QPA_PLATFORM").isEmpty() ? "offscreen" : qgetenv("QT_QPA_PLATFORM"));
  QApplication app(argc, argv);
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s IN.csv OUT.png TITLE [column=limit ...]\n", argv[0]);
    return 2;
  }
  QFile file(QString::fromLocal8Bit(argv[1]));
  if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  QTextStream in(&file);
  auto const columns = in.readLine().split(',');
  std::map<QString, double> limits;
  for (int i = 4; i < argc; ++i) {
    auto const parts = QString::fromLocal8Bit(argv[i]).split('=');
    if (parts.size() == 2) limits[parts[0]] = parts[1].toDouble();
  }
  std::vector<QList<QPointF>> points(static_cast<std::size_t>(columns.size()));
  while (!in.atEnd()) {
    auto const cells = in.readLine().split(',');
    if (cells.size() != columns.size()) continue;
    double const x = cells[0].toDouble() / 60;  // minutes read better over half an hour
    for (qsizetype c = 1; c < cells.size(); ++c) {
      bool ok = false;
      double const y = cells[c].toDouble(&ok);
      if (ok && std::isfinite(y)) points[static_cast<std::size_t>(c)].append({x, y});
    }
  }

  QWidget page;
  page.setStyleSheet("background: white");
  auto* layout = new QVBoxLayout(&page);
  layout->setContentsMargins(8, 8, 8, 8);
  for (qsizetype c = 1; c < columns.size(); ++c) {
    auto* chart = new QChart;
    chart->setTitle(c == 1 ? QString::fromLocal8Bit(argv[3]) + ": " + columns[c] : columns[c]);
    chart->legend()->hide();
    auto* series = new QLineSeries;
    series->append(points[static_cast<std::size_t>(c)]);
    chart->addSeries(series);
    double top = 0, right = 0;
    for (auto const& point : points[static_cast<std::size_t>(c)]) top = std::max(top, point.y()), right = std::max(right, point.x());
    if (auto limit = limits.find(columns[c]); limit != limits.end()) {
      auto* ceiling = new QLineSeries;
      ceiling->append({{0, limit->second}, {right, limit->second}});
      ceiling->setPen(QPen(Qt::red, 1.5, Qt::DashLine));
      chart->addSeries(ceiling);
      top = std::max(top, limit->second);
    }
    auto* x = new QValueAxis;
    x->setRange(0, std::max(right, 1.0));
    x->applyNiceNumbers();
    x->setTitleText("minutes");
    x->setLabelFormat("%g");
    auto* y = new QValueAxis;
    y->setRange(0, top > 0 ? top * 1.1 : 1);
    y->applyNiceNumbers();
    y->setLabelFormat("%g");
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (auto* s : chart->series()) s->attachAxis(x), s->attachAxis(y);
    auto* view = new QChartView(chart);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(260);
    layout->addWidget(view);
  }
  page.resize(1000, 280 * static_cast<int>(columns.size() - 1));
  page.show();
  app.processEvents();
  if (!page.grab().save(QString::fromLocal8Bit(argv[2]))) {
    std::fprintf(stderr, "cannot write %s\n", argv[2]);
    return 1;
  }
  return 0;
}
