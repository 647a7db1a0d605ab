#include "logs/log_table_model.hpp"

#include <gtest/gtest.h>

#include <QAbstractItemModelTester>
#include <QBuffer>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QSignalSpy>

#include <functional>

using namespace prodmcp::console::logs;

namespace {

QByteArray server_line(int i, std::string_view level = "info", std::string_view extra = {}) {
  auto second = QString::number(i % 60).rightJustified(2, QLatin1Char('0'));
  return QStringLiteral(
             R"({"timestamp":"2026-11-25T10:00:%1.250000Z","level":"%2","logger":"http",)"
             R"("event":"request %3","correlation_id":"c%3","method":"tools/call","status":200%4})")
      .arg(second, QString::fromUtf8(level.data(), static_cast<qsizetype>(level.size())), QString::number(i),
           QString::fromUtf8(extra.data(), static_cast<qsizetype>(extra.size())))
      .toUtf8();
}

QList<QByteArray> lines(int from, int to, std::function<std::string_view(int)> level = {}) {
  QList<QByteArray> result;
  for (int i = from; i < to; ++i) result << server_line(i, level ? level(i) : "info");
  return result;
}

// Spins the event loop until `done` or a generous deadline: no test depends on how fast this runs.
bool wait_until(std::function<bool()> const& done) {
  QElapsedTimer timer;
  timer.start();
  while (!done()) {
    if (timer.elapsed() > 30'000) return false;
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
  }
  return true;
}

struct Fixture {
  explicit Fixture(LogTableModel::Options options = {}) : model(options) {}
  LogTableModel model;
  QAbstractItemModelTester tester{&model, QAbstractItemModelTester::FailureReportingMode::Fatal};

  QString text(int row, int column, int role = Qt::DisplayRole) const {
    return model.data(model.index(row, column), role).toString();
  }
  std::uint64_t seq(int row) const {
    return model.data(model.index(row, 0), LogTableModel::kSequenceRole).toULongLong();
  }
  void filter(QString const& query) {
    QSignalSpy finished(&model, &LogTableModel::filter_finished);
    QString error;
    ASSERT_TRUE(model.set_query(query, &error)) << error.toStdString();
    ASSERT_TRUE(wait_until([&] { return finished.count() > 0; }));
    EXPECT_FALSE(model.is_filtering());
  }
};

}  // namespace

TEST(LogTableModel, CoalescesBurstsIntoOneInsertion) {
  Fixture f;
  QSignalSpy inserted(&f.model, &QAbstractItemModel::rowsInserted);
  QSignalSpy appended(&f.model, &LogTableModel::rows_appended);
  f.model.append_lines(lines(0, 100));
  f.model.append_lines(lines(100, 250));
  f.model.append_line(server_line(250));
  EXPECT_EQ(f.model.rowCount(), 0);  // nothing until the flush timer fires
  EXPECT_EQ(f.model.pending_lines(), 251);
  ASSERT_TRUE(wait_until([&] { return inserted.count() > 0; }));
  EXPECT_EQ(inserted.count(), 1);
  EXPECT_EQ(f.model.rowCount(), 251);
  ASSERT_EQ(appended.count(), 1);
  EXPECT_EQ(appended[0][0].toInt(), 0);
  EXPECT_EQ(appended[0][1].toInt(), 250);
  EXPECT_EQ(f.model.pending_lines(), 0);
}

TEST(LogTableModel, ShowsColumnsAndRoles) {
  Fixture f;
  f.model.append_line(
      server_line(5, "warning", R"(,"note":"a b","params":{"x":[1,2]},"ok":true,"msg":"q\"\n")"));
  f.model.append_line("Segmentation fault (core dumped)");
  f.model.flush();
  ASSERT_EQ(f.model.rowCount(), 2);
  ASSERT_EQ(f.model.columnCount(), LogTableModel::kColumnCount);

  auto const time = *parse_iso8601_us("2026-11-25T10:00:05.250000Z") / 1000;
  EXPECT_EQ(f.text(0, LogTableModel::kTimeColumn),
            QDateTime::fromMSecsSinceEpoch(time, Qt::LocalTime).toString(QStringLiteral("hh:mm:ss.zzz")));
  EXPECT_EQ(f.text(0, LogTableModel::kTimeColumn, Qt::ToolTipRole),
            QStringLiteral("2026-11-25T10:00:05.250000Z"));
  EXPECT_EQ(f.text(0, LogTableModel::kLevelColumn), QStringLiteral("warning"));
  EXPECT_EQ(f.text(0, LogTableModel::kLoggerColumn), QStringLiteral("http"));
  EXPECT_EQ(f.text(0, LogTableModel::kEventColumn), QStringLiteral("request 5"));
  EXPECT_EQ(f.text(0, LogTableModel::kCorrelationIdColumn), QStringLiteral("c5"));
  EXPECT_EQ(
      f.text(0, LogTableModel::kFieldsColumn),
      QStringLiteral(R"(method=tools/call status=200 note="a b" params={"x":[1,2]} ok=true msg="q\"\n")"));
  EXPECT_EQ(f.model.data(f.model.index(0, 3), LogTableModel::kLevelRole).toInt(),
            static_cast<int>(Level::kWarning));
  EXPECT_EQ(f.model.data(f.model.index(0, 3), LogTableModel::kTimestampRole).toLongLong(), time);
  EXPECT_EQ(f.seq(0), 0u);
  EXPECT_EQ(f.text(0, 0, LogTableModel::kRawLineRole).toUtf8(),
            server_line(5, "warning", R"(,"note":"a b","params":{"x":[1,2]},"ok":true,"msg":"q\"\n")"));

  EXPECT_EQ(f.text(1, LogTableModel::kEventColumn), QStringLiteral("Segmentation fault (core dumped)"));
  EXPECT_EQ(f.text(1, LogTableModel::kLevelColumn), QString());
  EXPECT_EQ(f.text(1, LogTableModel::kFieldsColumn), QString());
  EXPECT_EQ(f.model.data(f.model.index(1, 0), LogTableModel::kLevelRole).toInt(), 0);
  EXPECT_TRUE(f.text(1, LogTableModel::kTimeColumn, Qt::ToolTipRole).endsWith(QStringLiteral("(received)")));
  EXPECT_EQ(f.model.headerData(LogTableModel::kCorrelationIdColumn, Qt::Horizontal).toString(),
            QStringLiteral("Correlation id"));
}

TEST(LogTableModel, EvictionRemovesTheOldestRowsFirst) {
  LogTableModel::Options options;
  options.store.max_lines = 100;
  options.store.chunk_bytes = 4096;
  Fixture f(options);
  QSignalSpy removed(&f.model, &QAbstractItemModel::rowsRemoved);
  f.model.append_lines(lines(0, 80));
  f.model.flush();
  EXPECT_EQ(removed.count(), 0);
  f.model.append_lines(lines(80, 130));
  f.model.flush();
  ASSERT_EQ(removed.count(), 1);
  EXPECT_EQ(removed[0][1].toInt(), 0);
  EXPECT_EQ(removed[0][2].toInt(), 29);
  EXPECT_EQ(f.model.rowCount(), 100);
  EXPECT_EQ(f.seq(0), 30u);
  EXPECT_EQ(f.text(0, LogTableModel::kEventColumn), QStringLiteral("request 30"));
  EXPECT_EQ(f.model.row_of(30), 0);
  EXPECT_EQ(f.model.row_of(29), -1);
  // A burst larger than the cap: lines never shown are dropped without rows for them.
  f.model.append_lines(lines(130, 400));
  f.model.flush();
  EXPECT_EQ(f.model.rowCount(), 100);
  EXPECT_EQ(f.seq(0), 300u);
  EXPECT_EQ(f.seq(99), 399u);
  EXPECT_EQ(f.model.store().evicted(), 300u);
}

TEST(LogTableModel, FiltersOffTheGuiThreadAndKeepsLiveMatches) {
  Fixture f;
  auto level = [](int i) -> std::string_view { return i % 10 == 0 ? "error" : "info"; };
  f.model.append_lines(lines(0, 5000, level));
  f.model.flush();
  f.filter(QStringLiteral("level>=warning"));
  ASSERT_EQ(f.model.rowCount(), 500);
  EXPECT_TRUE(f.model.is_filtered());
  EXPECT_EQ(f.seq(0), 0u);
  EXPECT_EQ(f.seq(499), 4990u);

  QSignalSpy appended(&f.model, &LogTableModel::rows_appended);
  f.model.append_lines(lines(5000, 5100, level));
  f.model.flush();
  ASSERT_EQ(f.model.rowCount(), 510);
  EXPECT_EQ(f.seq(509), 5090u);
  ASSERT_EQ(appended.count(), 1);
  EXPECT_EQ(appended[0][0].toInt(), 500);

  f.filter(QString());
  EXPECT_FALSE(f.model.is_filtered());
  EXPECT_EQ(f.model.rowCount(), 5100);
}

TEST(LogTableModel, LinesArrivingDuringAFilterRunFollowItsResults) {
  Fixture f;
  f.model.append_lines(lines(0, 20'000));
  f.model.flush();
  QSignalSpy finished(&f.model, &LogTableModel::filter_finished);
  ASSERT_TRUE(f.model.set_query(QStringLiteral("\"request 1\"")));
  EXPECT_TRUE(f.model.is_filtering());
  // Appended before the results can be handed over (that needs the event loop): held back.
  f.model.append_lines(lines(100'000, 100'011));  // "request 100000" ...: all match
  f.model.append_line(server_line(200'000));        // does not
  f.model.flush();
  ASSERT_TRUE(wait_until([&] { return finished.count() > 0; }));
  std::vector<std::uint64_t> expected;
  for (int i = 0; i < 20'000; ++i)
    if (QByteArray::number(i).startsWith('1')) expected.push_back(static_cast<std::uint64_t>(i));
  for (std::uint64_t seq = 20'000; seq < 20'011; ++seq) expected.push_back(seq);
  ASSERT_EQ(f.model.rowCount(), static_cast<int>(expected.size()));
  for (int row = 0; row < f.model.rowCount(); ++row)
    ASSERT_EQ(f.seq(row), expected[static_cast<std::size_t>(row)]);
  EXPECT_EQ(finished[0][0].toLongLong(), static_cast<qint64>(expected.size()));
}

TEST(LogTableModel, DropsTheResultsOfAReplacedFilter) {
  Fixture f;
  f.model.append_lines(lines(0, 30'000));
  f.model.flush();
  QSignalSpy finished(&f.model, &LogTableModel::filter_finished);
  QSignalSpy started(&f.model, &LogTableModel::filter_started);
  ASSERT_TRUE(f.model.set_query(QStringLiteral("request")));  // everything: many results to drop
  ASSERT_TRUE(f.model.set_query(QStringLiteral("correlation_id=c29999")));
  ASSERT_TRUE(wait_until([&] { return finished.count() > 0; }));
  // Let anything the first run still posted arrive; it must change nothing.
  QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
  EXPECT_EQ(started.count(), 2);
  EXPECT_EQ(finished.count(), 1);
  ASSERT_EQ(f.model.rowCount(), 1);
  EXPECT_EQ(f.seq(0), 29'999u);
}

TEST(LogTableModel, EvictionWhileFilteredRemovesMatchedRows) {
  LogTableModel::Options options;
  options.store.max_lines = 1000;
  options.store.chunk_bytes = 8192;
  Fixture f(options);
  auto level = [](int i) -> std::string_view { return i % 2 == 0 ? "error" : "info"; };
  f.model.append_lines(lines(0, 1000, level));
  f.model.flush();
  f.filter(QStringLiteral("level=error"));
  ASSERT_EQ(f.model.rowCount(), 500);
  QSignalSpy removed(&f.model, &QAbstractItemModel::rowsRemoved);
  f.model.append_lines(lines(1000, 1100, level));
  f.model.flush();
  ASSERT_EQ(removed.count(), 1);
  EXPECT_EQ(removed[0][2].toInt(), 49);
  EXPECT_EQ(f.model.rowCount(), 500);
  EXPECT_EQ(f.seq(0), 100u);
  EXPECT_EQ(f.seq(499), 1098u);
}

TEST(LogTableModel, PivotsOnTimeRangeAndCorrelationId) {
  Fixture f;
  f.model.append_lines(lines(0, 120));  // seconds 0..59 twice
  f.model.flush();
  QSignalSpy finished(&f.model, &LogTableModel::filter_finished);
  auto const from = *parse_iso8601_us("2026-11-25T10:00:10.250Z") / 1000;
  auto const to = *parse_iso8601_us("2026-11-25T10:00:12.250Z") / 1000;
  f.model.set_time_range(from, to);
  ASSERT_TRUE(wait_until([&] { return finished.count() == 1; }));
  ASSERT_EQ(f.model.rowCount(), 6);
  EXPECT_EQ(f.seq(0), 10u);
  EXPECT_EQ(f.seq(5), 72u);
  EXPECT_EQ(f.model.query(),
            QStringLiteral("time>=2026-11-25T10:00:10.250000Z time<=2026-11-25T10:00:12.250999Z"));

  f.model.set_correlation_id(QStringLiteral("c71"));
  ASSERT_TRUE(wait_until([&] { return finished.count() == 2; }));
  ASSERT_EQ(f.model.rowCount(), 1);
  EXPECT_EQ(f.seq(0), 71u);
  f.model.set_time_range(std::nullopt, std::nullopt);
  ASSERT_TRUE(wait_until([&] { return finished.count() == 3; }));
  EXPECT_EQ(f.model.query(), QStringLiteral("correlation_id=c71"));
  EXPECT_EQ(f.model.rowCount(), 1);
  f.model.set_correlation_id(QString());
  EXPECT_EQ(f.model.rowCount(), 120);
}

TEST(LogTableModel, RejectsAnInvalidQueryAndKeepsTheFilter) {
  Fixture f;
  f.model.append_lines(lines(0, 10));
  f.model.flush();
  f.filter(QStringLiteral("correlation_id=c3"));
  QString error;
  EXPECT_FALSE(f.model.set_query(QStringLiteral("level>=loud"), &error));
  EXPECT_TRUE(error.contains(QStringLiteral("unknown level 'loud'")));
  EXPECT_EQ(f.model.query(), QStringLiteral("correlation_id=c3"));
  EXPECT_EQ(f.model.rowCount(), 1);
}

TEST(LogTableModel, ExportsAndCopiesTheShownLines) {
  Fixture f;
  f.model.append_lines(lines(0, 4));
  f.model.append_line(R"({"level":"error","event":"bad, \"quoted\"","detail":"x"})");
  f.model.append_line("plain, text");
  f.model.flush();
  f.filter(QStringLiteral("level=error,none"));
  ASSERT_EQ(f.model.rowCount(), 2);

  QBuffer jsonl;
  jsonl.open(QIODevice::WriteOnly);
  EXPECT_EQ(f.model.export_json_lines(jsonl), 2);
  EXPECT_EQ(jsonl.data(), QByteArray(R"({"level":"error","event":"bad, \"quoted\"","detail":"x"})"
                                     "\nplain, text\n"));

  QBuffer csv;
  csv.open(QIODevice::WriteOnly);
  EXPECT_EQ(f.model.export_csv(csv), 2);
  auto const rows = QString::fromUtf8(csv.data()).split(QStringLiteral("\r\n"));
  ASSERT_EQ(rows.size(), 4);  // header, two lines, and the empty rest after the last break
  EXPECT_EQ(rows[0], QStringLiteral("Time,Level,Logger,Event,Correlation id,Fields"));
  EXPECT_TRUE(rows[1].endsWith(QStringLiteral(R"(,error,,"bad, ""quoted""",,detail=x)")))
      << rows[1].toStdString();
  EXPECT_TRUE(rows[2].endsWith(QStringLiteral(R"(,,,"plain, text",,)"))) << rows[2].toStdString();
  EXPECT_TRUE(rows[1].startsWith(QStringLiteral("20"))) << rows[1].toStdString();  // full ISO time
  EXPECT_EQ(rows[3], QString());

  EXPECT_EQ(f.model.copy_raw({1, 0}),
            QStringLiteral(R"({"level":"error","event":"bad, \"quoted\"","detail":"x"})"
                           "\nplain, text\n"));
  auto const copied = f.model.copy_text({0});
  EXPECT_TRUE(copied.endsWith(QStringLiteral("\terror\t\tbad, \"quoted\"\t\tdetail=x\n")))
      << copied.toStdString();
  EXPECT_EQ(f.model.copy_text({7}), QString());
}

TEST(LogTableModel, ClearForgetsLinesButKeepsNumbering) {
  Fixture f;
  f.model.append_lines(lines(0, 10));
  f.model.flush();
  f.model.append_lines(lines(10, 20));  // pending: dropped too
  f.model.clear();
  EXPECT_EQ(f.model.rowCount(), 0);
  EXPECT_EQ(f.model.pending_lines(), 0);
  f.model.append_line(server_line(99));
  f.model.flush();
  ASSERT_EQ(f.model.rowCount(), 1);
  EXPECT_EQ(f.seq(0), 10u);
}

TEST(LogTableModel, CellsCutLongValuesButExportsKeepThem) {
  Fixture f;
  QByteArray const long_raw(5000, 'r');
  QByteArray const long_event =
      R"({"event":")" + QByteArray(3000, 'e') + R"(","detail":")" + QByteArray(3000, 'd') + "\"}";
  f.model.append_lines({long_raw, long_event});
  f.model.flush();
  ASSERT_EQ(f.model.rowCount(), 2);
  auto const shown = f.text(0, LogTableModel::kEventColumn);
  EXPECT_EQ(shown.size(), 2001);
  EXPECT_TRUE(shown.endsWith(QChar(0x2026)));
  EXPECT_EQ(f.text(1, LogTableModel::kEventColumn).size(), 2001);
  EXPECT_LE(f.text(1, LogTableModel::kFieldsColumn).size(), 2001);
  EXPECT_EQ(f.text(0, 0, LogTableModel::kRawLineRole).size(), 5000);

  auto const copied = f.model.copy_text({0, 1}).split(QLatin1Char('\n'));
  ASSERT_EQ(copied.size(), 3);
  EXPECT_EQ(copied[0].split(QLatin1Char('\t'))[LogTableModel::kEventColumn].size(), 5000);
  EXPECT_EQ(copied[1].split(QLatin1Char('\t'))[LogTableModel::kFieldsColumn].size(), 3007);  // detail=...
  QBuffer csv;
  csv.open(QIODevice::WriteOnly);
  EXPECT_EQ(f.model.export_csv(csv), 2);
  EXPECT_TRUE(csv.data().contains(long_raw));
}
