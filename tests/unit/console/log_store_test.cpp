#include "logs/log_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using namespace prodmcp::console::logs;

namespace {

constexpr std::int64_t kReceived = 1'700'000'000'000'000;

std::string server_line(int i, std::string_view level = "info") {
  return R"({"timestamp":"2026-11-25T10:11:12.123456Z","level":")" + std::string(level) +
         R"(","logger":"http","event":"request","correlation_id":"c)" + std::to_string(i) +
         R"(","method":"tools/call","status":200,"duration_ms":1.250})";
}

}  // namespace

TEST(LogLine, IndexesTheEnvelopeOfAServerLine) {
  auto const line = server_line(7, "warning");
  auto const record = index_line(line, kReceived);
  LineView const view(&record, line.data(), 42);
  EXPECT_TRUE(view.is_json());
  EXPECT_TRUE(view.has_timestamp());
  EXPECT_FALSE(view.has_escapes());
  EXPECT_EQ(view.level(), Level::kWarning);
  EXPECT_EQ(view.timestamp_us(), *parse_iso8601_us("2026-11-25T10:11:12.123456Z"));
  EXPECT_EQ(view.logger_raw(), "http");
  EXPECT_EQ(view.event(), "request");
  EXPECT_EQ(view.correlation_id(), "c7");
  EXPECT_EQ(view.seq(), 42u);
  EXPECT_EQ(view.raw(), line);
}

TEST(LogLine, ResolvesEscapesInStrings) {
  std::string const line =
      R"({"level":"error","logger":"a\"b","event":"line\nbreak \u00e9 \ud83d\ude00 \\",)"
      R"("correlation_id":"x\/y"})";
  auto const record = index_line(line, kReceived);
  LineView const view(&record, line.data(), 0);
  ASSERT_TRUE(view.is_json());
  EXPECT_TRUE(view.has_escapes());
  EXPECT_EQ(view.logger_raw(), R"(a\"b)");
  EXPECT_EQ(view.logger(), "a\"b");
  EXPECT_EQ(view.event(), "line\nbreak \xC3\xA9 \xF0\x9F\x98\x80 \\");
  EXPECT_EQ(view.correlation_id(), "x/y");
  EXPECT_EQ(unescape_json(R"(bad \q and \u12)"), R"(bad \q and \u12)");
  EXPECT_EQ(unescape_json(R"(lone \ud800!)"), "lone \xEF\xBF\xBD!");
}

TEST(LogLine, EscapedQuotesAndBracesDoNotEndAString) {
  std::string const line = R"({"event":"a \\\"} {[","logger":"x\\","level":"info"})";
  auto const record = index_line(line, kReceived);
  LineView const view(&record, line.data(), 0);
  ASSERT_TRUE(view.is_json());
  EXPECT_EQ(view.event(), "a \\\"} {[");
  EXPECT_EQ(view.logger(), "x\\");
  EXPECT_EQ(view.level(), Level::kInfo);
}

TEST(LogLine, SkipsNestedObjectsAndArrays) {
  std::string const line =
      R"({"params":{"level":"critical","event":"inner","list":[1,{"x":"}"}]},"tags":["a","]"],)"
      R"("level":"debug","event":"outer","ok":true,"none":null,"n":-1.5e3})";
  auto const record = index_line(line, kReceived);
  LineView const view(&record, line.data(), 0);
  ASSERT_TRUE(view.is_json());
  EXPECT_EQ(view.level(), Level::kDebug);
  EXPECT_EQ(view.event_raw(), "outer");
  EXPECT_FALSE(view.has_timestamp());
  EXPECT_EQ(view.timestamp_us(), kReceived);

  auto const params = find_field(line, "params");
  ASSERT_TRUE(params);
  EXPECT_EQ(params->kind, ValueKind::kObject);
  EXPECT_EQ(params->value, R"({"level":"critical","event":"inner","list":[1,{"x":"}"}]})");
  EXPECT_EQ(find_field(line, "tags")->kind, ValueKind::kArray);
  EXPECT_EQ(find_field(line, "ok")->kind, ValueKind::kBool);
  EXPECT_EQ(find_field(line, "none")->kind, ValueKind::kNull);
  EXPECT_EQ(find_field(line, "n")->value, "-1.5e3");
  EXPECT_FALSE(find_field(line, "list"));  // nested keys are not top-level fields
}

TEST(LogLine, KeepsAnythingElseRaw) {
  for (std::string_view text : {
           "terminate called after throwing an instance of 'std::runtime_error'",
           "2026-11-25T10:11:12.123456Z info [http] request method=tools/call",
           R"({"level":"info","event":"cut)",
           R"({"level":"info"} trailing)",
           R"({"level" "info"})",
           R"({"level":"info",})",
           R"({"n":tru})",
           R"(["level","info"])",
           "",
       }) {
    auto const record = index_line(text, kReceived);
    LineView const view(&record, text.data(), 0);
    EXPECT_FALSE(view.is_json()) << text;
    EXPECT_EQ(view.level(), Level::kNone) << text;
    EXPECT_EQ(view.timestamp_us(), kReceived) << text;
    EXPECT_TRUE(view.event_raw().empty()) << text;
  }
  std::string_view const spaced = " { \"level\" : \"ERROR\" , \"event\" : \"e\" } \r";
  auto const record = index_line(spaced, kReceived);
  EXPECT_TRUE(record.flags & LineRecord::kJson);
  EXPECT_EQ(record.level, Level::kError);
}

TEST(LogLine, UnknownLevelsAndBadTimestampsFallBack) {
  std::string const line = R"({"timestamp":"yesterday","level":"loud","event":"e"})";
  auto const record = index_line(line, kReceived);
  EXPECT_TRUE(record.flags & LineRecord::kJson);
  EXPECT_FALSE(record.flags & LineRecord::kHasTimestamp);
  EXPECT_EQ(record.level, Level::kNone);
  EXPECT_EQ(record.timestamp_us, kReceived);
}

TEST(LogLine, KeyFieldsBeyondSixtyFourKilobytesAreFoundOnDemand) {
  std::string const line =
      R"({"blob":")" + std::string(70'000, 'x') + R"(","event":"late","correlation_id":42})";
  auto const record = index_line(line, kReceived);
  ASSERT_TRUE(record.flags & LineRecord::kSpansIncomplete);
  LineView const view(&record, line.data(), 0);
  EXPECT_EQ(view.event_raw(), "late");
  EXPECT_EQ(view.correlation_id_raw(), "42");
  EXPECT_EQ(view.logger_raw(), "");
}

TEST(LogTime, ParsesAndFormatsIso8601) {
  EXPECT_EQ(parse_iso8601_us("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_iso8601_us("1970-01-01T00:00:01.5Z"), 1'500'000);
  EXPECT_EQ(parse_iso8601_us("1970-01-01 01:00:00+01:00"), 0);
  EXPECT_EQ(parse_iso8601_us("1970-01-01T00:00:00.1234567-0030"), 1800 * 1'000'000LL + 123456);
  EXPECT_EQ(parse_iso8601_us("2000-02-29T12:00:00"), 951825600LL * 1'000'000);
  EXPECT_FALSE(parse_iso8601_us("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601_us("2026-11-25T10:11:12.Z"));
  EXPECT_FALSE(parse_iso8601_us("2026-11-25T10:11:12Zjunk"));
  auto const time = *parse_iso8601_us("2026-11-25T10:11:12.123456Z");
  EXPECT_EQ(format_iso8601_us(time), "2026-11-25T10:11:12.123456Z");
  EXPECT_EQ(format_iso8601_us(-1), "1969-12-31T23:59:59.999999Z");
}

TEST(LogStore, AppendsAndReadsBySequenceNumber) {
  LogStore store;
  EXPECT_EQ(store.append(server_line(0), kReceived), 0u);
  EXPECT_EQ(store.append("plain text\r\n", kReceived + 5), 1u);
  std::vector<std::string_view> const batch{"a", "b", "c"};
  store.append_batch(batch, kReceived);
  EXPECT_EQ(store.size(), 5u);
  EXPECT_EQ(store.end_seq(), 5u);
  auto const plain = store.line(1);
  ASSERT_TRUE(plain);
  EXPECT_EQ((*plain)->raw(), "plain text");
  EXPECT_EQ((*plain)->timestamp_us(), kReceived + 5);
  EXPECT_EQ((*store.line(4))->raw(), "c");
  EXPECT_FALSE(store.line(5));
  EXPECT_GT(store.memory_bytes(), 0u);
}

TEST(LogStore, EvictsTheOldestLinesByCountKeepingSequenceNumbers) {
  LogStore store({.max_lines = 100, .chunk_bytes = 1024});
  for (int i = 0; i < 250; ++i) store.append("line " + std::to_string(i), kReceived);
  EXPECT_EQ(store.size(), 100u);
  EXPECT_EQ(store.evicted(), 150u);
  EXPECT_EQ(store.first_seq(), 150u);
  EXPECT_FALSE(store.line(149));
  EXPECT_EQ((*store.line(150))->raw(), "line 150");
  EXPECT_EQ((*store.line(249))->raw(), "line 249");
  auto const snapshot = store.snapshot();
  ASSERT_EQ(snapshot.size(), 100u);
  std::uint64_t expected = 150;
  for (auto const& block : snapshot.blocks())
    for (std::size_t i = 0; i < block.records.size(); ++i, ++expected) {
      EXPECT_EQ(block.line(i).seq(), expected);
      EXPECT_EQ(block.line(i).raw(), "line " + std::to_string(expected));
    }
  EXPECT_EQ(expected, 250u);
}

TEST(LogStore, EvictsWholeChunksByBytes) {
  LogStore store({.max_lines = 1'000'000, .max_bytes = 64 * 1024, .chunk_bytes = 4096});
  std::string const line(100, 'x');
  for (int i = 0; i < 5000; ++i) store.append(line, kReceived);
  EXPECT_LE(store.memory_bytes(), 64u * 1024);
  EXPECT_GT(store.memory_bytes(), 32u * 1024);  // close to the cap, not far below it
  EXPECT_EQ(store.size() + store.evicted(), 5000u);
  EXPECT_LT(store.size(), 5000u);
  EXPECT_EQ(store.first_seq(), store.evicted());
  EXPECT_TRUE(store.line(store.first_seq()));
  EXPECT_FALSE(store.line(store.first_seq() - 1));
}

TEST(LogStore, ManualEvictionWaitsForTheCaller) {
  LogStore store({.max_lines = 10, .chunk_bytes = 1024, .auto_evict = false});
  for (int i = 0; i < 25; ++i) store.append(std::to_string(i), kReceived);
  EXPECT_EQ(store.size(), 25u);
  EXPECT_EQ(store.eviction_target(), 15u);
  EXPECT_EQ(store.evict_to(store.eviction_target()), 15u);
  EXPECT_EQ(store.size(), 10u);
  EXPECT_EQ(store.eviction_target(), 15u);
  store.clear();
  EXPECT_EQ(store.size(), 0u);
  EXPECT_EQ(store.evicted(), 25u);
  EXPECT_EQ(store.memory_bytes(), 0u);
  EXPECT_EQ(store.append("after", kReceived), 25u);
}

TEST(LogStore, OversizeAndTruncatedLines) {
  LogStore store({.chunk_bytes = 1024});
  std::string const big(5000, 'y');
  store.append("small", kReceived);
  store.append(big, kReceived);
  store.append("small again", kReceived);
  EXPECT_EQ((*store.line(1))->raw(), big);
  EXPECT_EQ((*store.line(2))->raw(), "small again");
  std::string const huge = R"({"event":")" + std::string(LogStore::kMaxLineBytes, 'z') + R"("})";
  auto const seq = store.append(huge, kReceived);
  auto const line = store.line(seq);
  EXPECT_EQ((*line)->raw().size(), LogStore::kMaxLineBytes);
  EXPECT_TRUE((*line)->record().flags & LineRecord::kTruncated);
  EXPECT_FALSE((*line)->is_json());
}

TEST(LogStore, LinesHeldByAReaderOutliveEviction) {
  LogStore store({.max_lines = 10, .chunk_bytes = 1024});
  store.append("first", kReceived);
  auto const held = store.line(0);
  auto const snapshot = store.snapshot();
  for (int i = 0; i < 1000; ++i) store.append("filler line " + std::to_string(i), kReceived);
  EXPECT_FALSE(store.line(0));
  EXPECT_EQ((*held)->raw(), "first");
  EXPECT_EQ(snapshot.line(0)->raw(), "first");
  EXPECT_FALSE(snapshot.line(1));
}

TEST(LogStore, ReadersSeeConsistentLinesWhileTheWriterAppendsAndEvicts) {
  LogStore store({.max_lines = 5000, .chunk_bytes = 8192});
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::atomic<int> scans{0};
  std::thread reader([&] {
    while (!done.load()) {
      auto const snapshot = store.snapshot();
      std::uint64_t expected = snapshot.first_seq();
      for (auto const& block : snapshot.blocks())
        for (std::size_t i = 0; i < block.records.size(); ++i, ++expected) {
          auto const line = block.line(i);
          if (line.seq() != expected || line.correlation_id() != "c" + std::to_string(expected)) ++bad;
        }
      if (expected != snapshot.end_seq()) ++bad;
      ++scans;
    }
  });
  for (int i = 0; i < 50'000; ++i) store.append(server_line(i), kReceived);
  // Make sure the reader overlapped with at least part of the writing before stopping it.
  while (scans.load() < 2) std::this_thread::yield();
  done = true;
  reader.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(store.size(), 5000u);
}
