// Record and replay: what a session saw (scrapes, log lines, health polls, events) written to one
// file and played back through the same stores and models, in order, at a chosen speed.
#include <gtest/gtest.h>

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include "console_session.hpp"
#include "metrics/queries.hpp"

using namespace prodmcp::console;

namespace {

QByteArray scrape_body(int requests) {
  return QByteArrayLiteral("# TYPE mcp_requests_total counter\n"
                           "mcp_requests_total{method=\"ping\",status=\"ok\"} ") +
         QByteArray::number(requests) + "\n";
}

ConsoleOptions quiet_options() {
  ConsoleOptions options;
  options.autostart = false;
  options.launch.binary = "/nonexistent/prodmcp-server";
  return options;
}

}  // namespace

TEST(SessionRecording, RecordsAndReplaysEverythingInOrder) {
  QTemporaryDir dir;
  auto const path = dir.filePath("session.jsonl");
  qint64 const t0 = QDateTime::currentMSecsSinceEpoch();
  {
    ConsoleSession session(quiet_options());
    ASSERT_TRUE(session.recorder().start(path));
    // What a live session would see: three scrapes a second apart, log lines, a health poll, events.
    for (int i = 0; i < 3; ++i) emit session.scraper().fetched(t0 + i * 1000, scrape_body(10 * (i + 1)), {});
    emit session.scraper().fetched(t0 + 3000, {}, "connection refused");
    emit session.log_lines({R"({"timestamp":"x","level":"info","event":"request","correlation_id":"c1"})", "raw line"});
    session.health().replay_poll({{HealthPoller::kLiveness, {t0 + 500, CheckState::kHealthy, 1.5, "HTTP 200 healthy"}},
                                  {"redis", {t0 + 500, CheckState::kDegraded, 2.0, "down, serving from memory"}}},
                                 true, false);
    session.events().add({t0 + 2500, EventSeverity::kWarning, "prodmcp-server", "exit", "killed by a signal"});
    session.recorder().stop();
    EXPECT_GT(session.recorder().records(), 7);
  }

  ConsoleOptions options = quiet_options();
  options.replay_file = path;
  options.replay_speed = 50;
  ConsoleSession replay(options);
  replay.begin();
  auto& replayer = replay.replayer();
  ASSERT_GT(replayer.record_count(), 7u);
  EXPECT_LE(replayer.first_ms(), t0);
  ASSERT_TRUE(QTest::qWaitFor([&] { return replayer.finished(); }, 5000));
  QTest::qWait(200);  // the last scrape is parsed off the GUI thread

  // Metrics: the series with its three values and the failed scrape, at their recorded times.
  QString error;
  auto const value = instant_query(replay.store(), "mcp_requests_total", t0 + 2000, error);
  ASSERT_TRUE(value && !value->empty()) << error.toStdString();
  EXPECT_EQ(value->front().value, 30);
  auto const up = instant_query(replay.store(), "up", t0 + 3000, error);
  ASSERT_TRUE(up && !up->empty());
  EXPECT_EQ(up->front().value, 0);
  // Logs, health and events.
  EXPECT_EQ(replay.log_model().rowCount(), 2);
  auto const* redis = replay.health().latest("redis");
  ASSERT_NE(redis, nullptr);
  EXPECT_EQ(redis->state, CheckState::kDegraded);
  EXPECT_EQ(redis->detail, "down, serving from memory");
  EXPECT_TRUE(replay.health().ready());
  bool exit_seen = false;
  for (auto const& event : replay.events().events())
    exit_seen |= event.kind == "exit" && event.time_ms == t0 + 2500;
  EXPECT_TRUE(exit_seen);
  // The console's "now" is the recording's.
  EXPECT_EQ(replay.now_ms(), replayer.last_ms());
}

TEST(SessionRecording, RefusesWhatIsNotARecording) {
  QTemporaryDir dir;
  auto const path = dir.filePath("other.jsonl");
  QFile file(path);
  ASSERT_TRUE(file.open(QIODevice::WriteOnly));
  file.write("{\"t\":1,\"kind\":\"logs\"}\n");
  file.close();
  ConsoleSession session(quiet_options());
  QString error;
  EXPECT_FALSE(session.replayer().load(path, &error));
  EXPECT_TRUE(error.contains("not a console recording")) << error.toStdString();
  EXPECT_FALSE(session.replayer().load(dir.filePath("missing.jsonl"), &error));
  ASSERT_TRUE(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
  file.write("{\"t\":1,\"kind\":\"recording\"}\nnot json\n");
  file.close();
  EXPECT_FALSE(session.replayer().load(path, &error));
  EXPECT_TRUE(error.contains(":2:")) << error.toStdString();
}

TEST(SessionRecording, SpeedChangesKeepTheReplayedMoment) {
  QTemporaryDir dir;
  auto const path = dir.filePath("session.jsonl");
  {
    ConsoleSession session(quiet_options());
    ASSERT_TRUE(session.recorder().start(path));
    session.events().add({QDateTime::currentMSecsSinceEpoch() + 60'000, EventSeverity::kInfo, "test", "later", "a minute on"});
    session.recorder().stop();
  }
  ConsoleOptions options = quiet_options();
  options.replay_file = path;
  ConsoleSession replay(options);
  replay.begin();
  auto& replayer = replay.replayer();
  QTest::qWait(100);
  auto const before = replayer.now_ms();
  replayer.set_speed(1000);
  EXPECT_GE(replayer.now_ms(), before);
  ASSERT_TRUE(QTest::qWaitFor([&] { return replayer.finished(); }, 3000));
}

// The console stopped mid-write: the recording still plays, without its cut-short last line.
TEST(SessionRecording, ATruncatedLastLineIsLeftOutNotFatal) {
  QTemporaryDir dir;
  auto const path = dir.filePath("cut.jsonl");
  QFile file(path);
  ASSERT_TRUE(file.open(QIODevice::WriteOnly));
  file.write("{\"t\":1,\"kind\":\"recording\",\"version\":1}\n"
             "{\"t\":2,\"kind\":\"event\",\"severity\":\"info\",\"source\":\"s\",\"event\":\"e\",\"message\":\"m\"}\n"
             "{\"t\":3,\"kind\":\"logs\",\"lines\":[\"abc");
  file.close();
  ConsoleSession session(quiet_options());
  QString error;
  ASSERT_TRUE(session.replayer().load(path, &error)) << error.toStdString();
  EXPECT_TRUE(session.replayer().dropped_tail());
  EXPECT_EQ(session.replayer().record_count(), 2u);
  // A bad line anywhere else is still an error.
  ASSERT_TRUE(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
  file.write("{\"t\":1,\"kind\":\"recording\",\"version\":1}\n{\"t\":3,\"kind\":\"logs\",\"lines\":[\"abc\n"
             "{\"t\":4,\"kind\":\"logs\",\"lines\":[]}\n");
  file.close();
  EXPECT_FALSE(session.replayer().load(path, &error));
  EXPECT_TRUE(error.contains(":2:")) << error.toStdString();
}

TEST(SessionRecording, StopsAtItsSizeLimitAndSaysSo) {
  QTemporaryDir dir;
  auto const path = dir.filePath("capped.jsonl");
  ConsoleSession session(quiet_options());
  session.recorder().set_max_bytes(4096);
  ASSERT_TRUE(session.recorder().start(path));
  for (int i = 0; i < 100 && session.recorder().recording(); ++i)
    emit session.scraper().fetched(QDateTime::currentMSecsSinceEpoch(), scrape_body(i), {});
  EXPECT_FALSE(session.recorder().recording());
  EXPECT_TRUE(session.recorder().problem().contains("size limit")) << session.recorder().problem().toStdString();
  EXPECT_LE(QFileInfo(path).size(), 4096);
  QString error;
  EXPECT_TRUE(session.replayer().load(path, &error)) << error.toStdString();  // what came before plays
}

// A full disk (here /dev/full) stops the recording with the reason instead of losing records quietly.
TEST(SessionRecording, AWriteErrorStopsTheRecordingWithTheReason) {
  if (!QFile::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  ConsoleSession session(quiet_options());
  ASSERT_TRUE(session.recorder().start("/dev/full"));
  // QFile buffers; the write that reaches the device, at the latest the periodic flush, fails.
  for (int i = 0; i < 2000 && session.recorder().recording(); ++i)
    emit session.scraper().fetched(QDateTime::currentMSecsSinceEpoch(), scrape_body(i), {});
  for (int waited = 0; waited < 200 && session.recorder().recording(); ++waited) QTest::qWait(50);
  EXPECT_FALSE(session.recorder().recording());
  EXPECT_TRUE(session.recorder().problem().contains("cannot write")) << session.recorder().problem().toStdString();
}
