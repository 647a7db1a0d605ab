// How responsive the console's log view stays while lines stream in: a shown QTableView over the
// log model, fed N lines per second for a while (default 20,000/s for 10 s, as a busy server's
// stderr would), while a 10 ms heartbeat timer measures how late the event loop runs it.
//   prodmcp_console_ui_bench [LINES_PER_SECOND] [SECONDS]   (QT_QPA_PLATFORM=offscreen)
#include <QApplication>
#include <QElapsedTimer>
#include <QTableView>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <vector>

#include "logs/log_table_model.hpp"

int main(int argc, char** argv) {
  QApplication application(argc, argv);
  int const rate = argc > 1 ? std::atoi(argv[1]) : 20'000;
  int const seconds = argc > 2 ? std::atoi(argv[2]) : 10;
  prodmcp::console::logs::LogTableModel model;
  QTableView view;
  view.setModel(&model);
  view.resize(1200, 700);
  view.show();
  QObject::connect(&model, &prodmcp::console::logs::LogTableModel::rows_appended, &view,
                   [&view] { view.scrollToBottom(); });  // follow mode, the costly case

  QElapsedTimer clock;
  clock.start();
  long sent = 0;
  QTimer feeder;
  feeder.setInterval(10);
  QObject::connect(&feeder, &QTimer::timeout, [&] {
    long const due = clock.elapsed() * rate / 1000;
    QList<QByteArray> lines;
    for (; sent < due; ++sent)
      lines.append(QByteArray(R"({"timestamp":"2026-11-25T10:00:00.123456Z","level":"info","logger":"mcp","event":"request",)"
                              R"("correlation_id":"2a80f1c739c96d1100000000)") +
                   QByteArray::number(qulonglong(sent), 16) +
                   R"(","method":"tools/call","tool":"echo","client_id":"anonymous","status":"ok","duration_ms":0.42})");
    model.append_lines(lines);
  });
  std::vector<double> lateness_ms;
  QElapsedTimer beat;
  QTimer heartbeat;
  heartbeat.setInterval(10);
  heartbeat.setTimerType(Qt::PreciseTimer);
  QObject::connect(&heartbeat, &QTimer::timeout, [&] {
    if (beat.isValid()) lateness_ms.push_back(std::max(0.0, double(beat.nsecsElapsed()) / 1e6 - 10.0));
    beat.start();
  });
  feeder.start();
  heartbeat.start();
  QTimer::singleShot(seconds * 1000, &application, &QApplication::quit);
  application.exec();
  model.flush();

  std::sort(lateness_ms.begin(), lateness_ms.end());
  auto at = [&](double q) { return lateness_ms.empty() ? 0.0 : lateness_ms[std::size_t(q * double(lateness_ms.size() - 1))]; };
  std::printf("fed %ld lines in %d s (%d/s); the view shows %d rows, the store holds %.1f MiB\n", sent, seconds, rate,
              model.rowCount(), double(model.store().memory_bytes()) / (1 << 20));
  std::printf("event-loop lateness of a 10 ms timer: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%zu beats)\n", at(0.5),
              at(0.99), lateness_ms.empty() ? 0.0 : lateness_ms.back(), lateness_ms.size());
  return 0;
}
