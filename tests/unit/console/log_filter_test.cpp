#include "logs/log_filter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace prodmcp::console::logs;

namespace {

constexpr std::int64_t kReceived = 1'700'000'000'000'000;

// A line with its record, for matching one line at a time.
struct Line {
  explicit Line(std::string text) : text(std::move(text)), record(index_line(this->text, kReceived)) {}
  LineView view() const { return {&record, text.data(), 0}; }
  std::string text;
  LineRecord record;
};

bool matches(std::string_view query, std::string const& line) {
  auto const parsed = parse_filter(query);
  EXPECT_TRUE(parsed.ok()) << query << ": " << parsed.error;
  LineMatcher matcher(parsed.spec);
  return matcher.matches(Line(line).view());
}

std::string server_line(int i, std::string_view level, std::string_view method, int status) {
  return R"({"timestamp":"2026-11-25T10:00:)" + std::string(i % 60 < 10 ? "0" : "") + std::to_string(i % 60) +
         R"(.000000Z","level":")" + std::string(level) +
         R"(","logger":"http","event":"request","correlation_id":"c)" + std::to_string(i) +
         R"(","method":")" + std::string(method) + R"(","status":)" + std::to_string(status) +
         R"(,"duration_ms":)" + std::to_string(i % 100) + "}";
}

}  // namespace

TEST(FilterQuery, ParsesEveryKindOfTerm) {
  auto const parsed = parse_filter(
      R"(level>=warning method=tools/call "time out" /err.*/ correlation_id=abc -debug status!=200 )"
      R"(duration_ms>=1.5 time>=2026-11-25T10:00:00Z time<2026-11-25T11:00:00Z note="a \"b\"")");
  ASSERT_TRUE(parsed.ok()) << parsed.error;
  auto const& spec = parsed.spec;
  EXPECT_EQ(spec.levels, FilterSpec::level_bit(Level::kWarning) | FilterSpec::level_bit(Level::kError) |
                             FilterSpec::level_bit(Level::kCritical));
  EXPECT_EQ(spec.substrings, std::vector<std::string>{"time out"});
  EXPECT_EQ(spec.excluded, std::vector<std::string>{"debug"});
  EXPECT_EQ(spec.regex, "err.*");
  EXPECT_FALSE(spec.regex_ignore_case);
  EXPECT_EQ(spec.correlation_id, "abc");
  ASSERT_EQ(spec.fields.size(), 4u);
  EXPECT_EQ(spec.fields[0],
            (FieldCondition{.key = "method", .op = FieldCondition::Op::kEqual, .value = "tools/call"}));
  EXPECT_EQ(spec.fields[1].op, FieldCondition::Op::kNotEqual);
  EXPECT_EQ(spec.fields[2].op, FieldCondition::Op::kGreaterEqual);
  EXPECT_DOUBLE_EQ(spec.fields[2].number, 1.5);
  EXPECT_EQ(spec.fields[3].value, R"(a "b")");
  EXPECT_EQ(spec.from_us, parse_iso8601_us("2026-11-25T10:00:00Z"));
  EXPECT_EQ(spec.to_us, *parse_iso8601_us("2026-11-25T11:00:00Z") - 1);
  EXPECT_FALSE(spec.matches_everything());
  EXPECT_TRUE(parse_filter("   ").spec.matches_everything());
}

TEST(FilterQuery, LevelForms) {
  auto bits = [](std::initializer_list<Level> levels) {
    std::uint8_t mask = 0;
    for (auto level : levels) mask |= FilterSpec::level_bit(level);
    return mask;
  };
  EXPECT_EQ(parse_filter("level=error,critical").spec.levels, bits({Level::kError, Level::kCritical}));
  EXPECT_EQ(parse_filter("level=WARN").spec.levels, bits({Level::kWarning}));
  EXPECT_EQ(parse_filter("level<info").spec.levels, bits({Level::kTrace, Level::kDebug}));
  EXPECT_EQ(parse_filter("level>error").spec.levels, bits({Level::kCritical}));
  EXPECT_EQ(parse_filter("level!=debug,none").spec.levels,
            bits({Level::kTrace, Level::kInfo, Level::kWarning, Level::kError, Level::kCritical}));
  EXPECT_EQ(parse_filter("level>=info level<=warning").spec.levels, bits({Level::kInfo, Level::kWarning}));
}

TEST(FilterQuery, ReportsErrorsWithTheirPosition) {
  struct Case {
    std::string_view query;
    std::string_view error_part;
    std::size_t offset;
  };
  for (auto const& c : std::vector<Case>{
           {R"(level>=info "unclosed)", "unterminated quote", 12},
           {"a /unclosed", "unterminated /regex/", 2},
           {"/(/", "invalid regex", 0},
           {"/a/ /b/", "only one /regex/", 4},
           {"/a/x", "unknown regex flag 'x'", 0},
           {"//", "empty /regex/", 0},
           {"level=loud", "unknown level 'loud'", 0},
           {"level>=info,error", "one level", 0},
           {"level>none", "one level", 0},
           {"x time=2026-11-25T10:00:00Z", "time takes", 2},
           {"time>=yesterday", "invalid time 'yesterday'", 0},
           {"status=", "missing value after 'status='", 0},
           {"=200", "missing field name", 0},
           {"duration_ms>fast", "'duration_ms>fast' needs a number", 0},
           {"ok - x", "'-' must be followed", 3},
           {R"(note="open)", "unterminated quote", 5},
       }) {
    auto const parsed = parse_filter(c.query);
    EXPECT_FALSE(parsed.ok()) << c.query;
    EXPECT_NE(parsed.error.find(c.error_part), std::string::npos) << c.query << " -> " << parsed.error;
    EXPECT_EQ(parsed.error_offset, c.offset) << c.query;
  }
}

TEST(FilterQuery, FormatsSpecsThatParseBack) {
  for (std::string_view query : {
           "level>=warning",
           "level=none,info",
           R"(method=tools/call "a b" -"c=d" /x\/y\d+/i)",
           R"(correlation_id="id with space" status!=200 duration_ms<2.5 note="q\"uote")",
           "time>=2026-11-25T10:00:00Z time<=2026-11-25T10:05:00.250000Z",
           "-\"-dash\" x=\"\"",
       }) {
    auto const parsed = parse_filter(query);
    ASSERT_TRUE(parsed.ok()) << query << ": " << parsed.error;
    auto const formatted = format_filter(parsed.spec);
    auto const again = parse_filter(formatted);
    ASSERT_TRUE(again.ok()) << formatted << ": " << again.error;
    EXPECT_EQ(again.spec, parsed.spec) << query << " -> " << formatted;
  }
  EXPECT_EQ(format_filter(parse_filter("level>=warning method=tools/call").spec),
            "level>=warning method=tools/call");
}

TEST(FilterMatch, LevelsAndLinesWithoutLevel) {
  auto const warning = server_line(1, "warning", "ping", 200);
  EXPECT_TRUE(matches("level>=warning", warning));
  EXPECT_FALSE(matches("level>=error", warning));
  EXPECT_TRUE(matches("level=info,warning", warning));
  EXPECT_FALSE(matches("level>=trace", "segmentation fault"));
  EXPECT_TRUE(matches("level=none", "segmentation fault"));
  EXPECT_TRUE(matches("SEGMENTATION", "segmentation fault"));
  EXPECT_TRUE(matches("", "anything"));
}

TEST(FilterMatch, FieldsAsWrittenWithNumbersAndStrings) {
  auto const line = server_line(7, "info", "tools/call", 200);
  EXPECT_TRUE(matches("method=tools/call", line));
  EXPECT_FALSE(matches("method=tools", line));
  EXPECT_TRUE(matches("status=200", line));
  EXPECT_TRUE(matches("status=200", R"({"status":"200"})"));
  EXPECT_FALSE(matches("status=200.0", line));  // as written, not by value
  EXPECT_TRUE(matches("status>=200 status<300 duration_ms>6.5", line));
  EXPECT_FALSE(matches("status>200", line));
  EXPECT_TRUE(matches("retries<3", R"({"retries":"2"})"));
  EXPECT_FALSE(matches("retries<3", R"({"retries":"two"})"));
  EXPECT_TRUE(matches("status!=500", line));
  EXPECT_TRUE(matches("tool!=echo", line));  // absent counts as different
  EXPECT_FALSE(matches("tool=echo", line));
  EXPECT_TRUE(matches("ok=true cached=null", R"({"ok":true,"cached":null})"));
  EXPECT_TRUE(matches(R"(params={"a":1})", R"({"params":{"a":1}})"));
  EXPECT_TRUE(matches("logger=http event=request correlation_id=c7", line));
  EXPECT_FALSE(matches("logger!=http", line));
  EXPECT_FALSE(matches("method=tools/call", "method=tools/call as plain text"));
}

TEST(FilterMatch, FieldsOnlyAtTheTopLevelAndWithEscapes) {
  auto const nested = R"({"event":"e","params":{"method":"tools/call"}})";
  EXPECT_FALSE(matches("method=tools/call", nested));
  EXPECT_TRUE(matches("method!=tools/call", nested));
  EXPECT_FALSE(matches("method=x", R"({"event":"said method x","note":"\"method\":\"x\""})"));
  EXPECT_TRUE(matches(R"(message="say \"hi\"")", R"({"message":"say \"hi\""})"));
  EXPECT_TRUE(matches("path=a/b", R"({"path":"a\/b"})"));
  EXPECT_TRUE(matches("method=ping", R"({"meth\u006fd":"ping"})"));
  EXPECT_TRUE(matches("correlation_id=a/b", R"({"correlation_id":"a\/b"})"));
  EXPECT_TRUE(matches("logger=x/y", R"({"logger":"x\/y"})"));
}

TEST(FilterMatch, TextRegexAndExclusions) {
  auto const line = R"({"level":"error","event":"Upstream TIMEOUT after 30 s","detail":"caf\u00e9 é"})";
  EXPECT_TRUE(matches("timeout", line));
  EXPECT_TRUE(matches("\"upstream timeout\"", line));
  EXPECT_FALSE(matches("timeout -upstream", line));
  EXPECT_TRUE(matches("timeout -downstream", line));
  EXPECT_TRUE(matches(R"(/TIMEOUT after \d+/)", line));
  EXPECT_FALSE(matches(R"(/timeout after \d+/)", line));
  EXPECT_TRUE(matches(R"(/timeout after \d+/i)", line));
  EXPECT_TRUE(matches("/é$/", std::string(line).substr(0, std::string(line).size() - 2)));
  EXPECT_TRUE(matches("é", line));
  EXPECT_FALSE(matches("x", ""));
}

TEST(FilterMatch, TimeRangeAndCorrelationId) {
  auto const line = server_line(30, "info", "ping", 200);  // 10:00:30
  EXPECT_TRUE(matches("time>=2026-11-25T10:00:30Z time<=2026-11-25T10:00:30Z", line));
  EXPECT_FALSE(matches("time>2026-11-25T10:00:30Z", line));
  EXPECT_FALSE(matches("time<2026-11-25T10:00:30Z", line));
  EXPECT_TRUE(matches("time<2026-11-25T10:00:30.000001Z", line));
  EXPECT_TRUE(matches("correlation_id=c30", line));
  EXPECT_FALSE(matches("correlation_id=c3", line));
  // A line without a timestamp is placed at its receive time.
  EXPECT_TRUE(matches("time>=2023-11-14T22:13:20Z time<=2023-11-14T22:13:20Z", "crash"));
}

TEST(FilterMatch, AnInvalidRegexMatchesNothing) {
  FilterSpec spec;
  spec.regex = "(";
  LineMatcher matcher(spec);
  EXPECT_FALSE(matcher.valid());
  EXPECT_FALSE(matcher.error().empty());
  EXPECT_FALSE(matcher.matches(Line("(").view()));
}

TEST(FilterBulk, MatchesTheSameLinesInOrderOnOneOrTwoThreads) {
  LogStore store({.chunk_bytes = 16 * 1024});
  char const* const levels[] = {"debug", "info", "info", "warning", "error"};
  char const* const methods[] = {"ping", "tools/call", "tools/list"};
  for (int i = 0; i < 60'000; ++i) {
    if (i % 1000 == 999) store.append("plain text line " + std::to_string(i), kReceived);
    else store.append(server_line(i, levels[i % 5], methods[i % 3], i % 7 == 0 ? 500 : 200), kReceived);
  }
  auto const snapshot = store.snapshot();
  for (std::string_view query : {"level>=warning method=tools/call", "status=500", "/line 9\\d+/",
                                 "TOOLS/LIST", "level=none", "correlation_id=c12345", ""}) {
    auto const spec = parse_filter(query).spec;
    std::vector<std::uint64_t> expected;
    LineMatcher matcher(spec);
    for (auto const& block : snapshot.blocks())
      for (std::size_t i = 0; i < block.records.size(); ++i)
        if (matcher.matches(block.line(i))) expected.push_back(block.line(i).seq());
    EXPECT_FALSE(expected.empty()) << query;
    for (int threads : {1, 2, 3}) {
      std::atomic<bool> cancel{false};
      std::vector<std::uint64_t> got;
      int calls = 0;
      std::uint64_t last_scanned = 0;
      auto const outcome = filter(
          snapshot, spec, cancel,
          [&](std::span<std::uint64_t const> matches, std::uint64_t scanned, std::uint64_t total) {
            got.insert(got.end(), matches.begin(), matches.end());
            EXPECT_GT(scanned, last_scanned);
            EXPECT_EQ(total, 60'000u);
            last_scanned = scanned;
            ++calls;
          },
          threads);
      EXPECT_TRUE(outcome.completed);
      EXPECT_EQ(outcome.scanned, 60'000u);
      EXPECT_EQ(outcome.matched, expected.size());
      EXPECT_EQ(outcome.end_seq, 60'000u);
      EXPECT_EQ(got, expected) << query << " on " << threads << " threads";
      EXPECT_GT(calls, 1);
    }
  }
}

TEST(FilterBulk, StopsWhenCancelled) {
  LogStore store({.chunk_bytes = 16 * 1024});
  for (int i = 0; i < 100'000; ++i) store.append(server_line(i, "info", "ping", 200), kReceived);
  std::atomic<bool> cancel{false};
  std::uint64_t delivered = 0;
  auto const outcome = filter(store, FilterSpec{}, cancel, [&](auto matches, auto, auto) {
    delivered += matches.size();
    cancel = true;  // after the first run
  });
  EXPECT_FALSE(outcome.completed);
  EXPECT_GT(delivered, 0u);
  EXPECT_LT(delivered, 100'000u);
  EXPECT_EQ(outcome.matched, delivered);

  std::atomic<bool> cancelled_before{true};
  int calls = 0;
  auto const none = filter(store, FilterSpec{}, cancelled_before, [&](auto, auto, auto) { ++calls; });
  EXPECT_FALSE(none.completed);
  EXPECT_EQ(calls, 0);
}

TEST(FilterBulk, AnEmptyStoreCompletesAtOnce) {
  LogStore store;
  std::atomic<bool> cancel{false};
  auto const outcome = filter(store, parse_filter("x").spec, cancel, nullptr);
  EXPECT_TRUE(outcome.completed);
  EXPECT_EQ(outcome.scanned, 0u);
}
