// Log line helpers: redaction of secrets and the timestamp format.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <fstream>
#include <regex>
#include <unistd.h>

#include "logging/log.hpp"

namespace json = boost::json;
using namespace prodmcp::logging;

namespace {

// Starts the log pipeline writing only to a new temporary file; returns its path.
std::string start_logging_to_a_file(Level level) {
  char pattern[] = "/tmp/prodmcp-log-XXXXXX";
  int const fd = ::mkstemp(pattern);
  ::close(fd);
  LogOptions options;
  options.stream = "none";
  options.file = pattern;
  options.level = level;
  start(options);
  return pattern;
}

// Logs `fields` as one request line, stops the pipeline and returns that line (the file is removed).
template <std::size_t N>
std::string log_one_request_line(std::string_view logger, std::array<Field, N> const& fields) {
  auto const pattern = start_logging_to_a_file(Level::kInfo);
  write_fields(Level::kInfo, logger, "request", fields);
  stop();
  std::ifstream file(pattern);
  std::string line;
  std::getline(file, line);
  std::remove(pattern.c_str());
  return line;
}

}  // namespace

TEST(LogRedaction, HidesSecretFieldsAtAnyDepth) {
  auto fields = json::parse(R"({"authorization":"Bearer abc","user":"ann","nested":{"api_key":"k","list":[{"password":"p"}]},
    "refresh_token":null,"count":3})").as_object();
  redact(fields);
  auto const text = json::serialize(fields);
  for (auto const* secret : {"Bearer abc", "\"k\"", "\"p\""}) EXPECT_EQ(text.find(secret), std::string::npos) << text;
  EXPECT_EQ(fields.at("user"), "ann");
  EXPECT_EQ(fields.at("count"), 3);
  EXPECT_EQ(fields.at("authorization"), "[REDACTED]");
  EXPECT_TRUE(fields.at("refresh_token").is_null());
}

TEST(LogTimestamp, IsIso8601UtcWithMicroseconds) {
  EXPECT_TRUE(std::regex_match(utc_timestamp(), std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)")));
}

TEST(LogLevels, ParseAndFilter) {
  EXPECT_EQ(parse_level("warning"), Level::kWarning);
  EXPECT_EQ(parse_level("warn"), Level::kWarning);
  EXPECT_FALSE(parse_level("loud"));
  set_level(Level::kError);
  EXPECT_FALSE(enabled(Level::kInfo));
  EXPECT_TRUE(enabled(Level::kCritical));
  set_level(Level::kInfo);
}

TEST(LogPipeline, WritesParseableJsonLinesToTheFileAndRedactsSecrets) {
  auto const pattern = start_logging_to_a_file(Level::kDebug);
  std::array<Field, 4> fields{Field{"text", std::string_view("a \"quoted\"\nline\\")}, Field{"count", std::int64_t{42}},
                              Field{"duration_ms", 1.5}, Field{"api_token", std::string_view("hunter2")}};
  write_fields(Level::kInfo, "mcp", "request", fields);
  write(Level::kWarning, "server", "tree", json::object{{"password", "hunter2"}, {"n", 1}});
  write(Level::kDebug, "server", "hidden_below_level", {});
  set_level(Level::kInfo);
  write(Level::kDebug, "server", "filtered", {});
  stop();
  std::ifstream file(pattern);
  std::vector<json::object> lines;
  for (std::string line; std::getline(file, line);) lines.push_back(json::parse(line).as_object());
  std::remove(pattern.c_str());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].at("event"), "request");
  EXPECT_EQ(lines[0].at("logger"), "mcp");
  EXPECT_EQ(lines[0].at("text"), "a \"quoted\"\nline\\");
  EXPECT_EQ(lines[0].at("count"), 42);
  EXPECT_EQ(lines[0].at("duration_ms"), 1.5);
  EXPECT_EQ(lines[0].at("api_token"), "[REDACTED]");
  EXPECT_EQ(lines[1].at("password"), "[REDACTED]");
  EXPECT_EQ(lines[2].at("event"), "hidden_below_level");
  EXPECT_EQ(dropped_lines(), 0u);
}

// A client chooses methods, tool names and paths: a 100 kB one must not make a 100 kB line.
TEST(LogPipeline, CutsLongValuesWithAMarkerAndKeepsTheLineJson) {
  auto const pattern = start_logging_to_a_file(Level::kInfo);
  std::string const huge(100000, 'x');
  std::string const accented = std::string(kMaxValueBytes - 1, 'a') + "\xc3\xa9" + huge;  // é across the cut
  std::array<Field, 2> fields{Field{"method", std::string_view(huge)}, Field{"tool", std::string_view(accented)}};
  write_fields(Level::kInfo, "mcp", "request", fields);
  json::array big_list;
  for (int i = 0; i < 20000; ++i) big_list.push_back(i);
  write(Level::kWarning, "server", "tree", json::object{{"path", huge}, {"list", big_list}, {"small", json::array{1, 2}}});
  stop();
  std::ifstream file(pattern);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) lines.push_back(line);
  std::remove(pattern.c_str());
  ASSERT_EQ(lines.size(), 2u);
  for (auto const& line : lines) EXPECT_LT(line.size(), 4 * kMaxValueBytes + 500);
  auto const request = json::parse(lines[0]).as_object();
  EXPECT_EQ(request.at("method").as_string(), std::string(kMaxValueBytes, 'x') + "...[cut, 100000 bytes]");
  EXPECT_EQ(request.at("tool").as_string().size(), (kMaxValueBytes - 1) + std::string("...[cut, 100002 bytes]").size())
      << "cut before the two-byte character, not inside it";
  auto const tree = json::parse(lines[1]).as_object();
  EXPECT_NE(tree.at("path").as_string().find("[cut, 100000 bytes]"), std::string::npos);
  EXPECT_TRUE(tree.at("list").is_string()) << "a long non-string value is cut as text";
  EXPECT_NE(tree.at("list").as_string().find("...[cut, "), std::string::npos);
  EXPECT_EQ(tree.at("small"), (json::array{1, 2}));
}

// Paths and header values reach the log as a client sent them: the line stays valid JSON (strict
// parsers refuse invalid UTF-8), with U+FFFD for each byte that is not UTF-8.
TEST(LogPipeline, ReplacesBytesThatAreNotUtf8) {
  auto const line =
      log_one_request_line("http", std::array<Field, 1>{Field{"path", std::string_view("/caf\xc3\xa9/\xff\xc0\xaf/x")}});
  boost::system::error_code error;
  auto const parsed = json::parse(line, error);  // Boost.JSON refuses invalid UTF-8
  ASSERT_FALSE(error) << line;
  EXPECT_EQ(parsed.at("path").as_string(), "/caf\xc3\xa9/\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd/x");
}

// A duration that is not a number (a clock bug, a division by zero upstream) must not break the
// line: JSON has no NaN or infinity.
TEST(LogPipeline, WritesNumbersThatJsonCannotHoldAsNull) {
  auto const line = log_one_request_line(
      "mcp", std::array<Field, 3>{Field{"not_a_number", std::nan("")},
                                  Field{"infinite", std::numeric_limits<double>::infinity()}, Field{"tiny", 0.0004}});
  boost::system::error_code error;
  auto const parsed = json::parse(line, error);
  ASSERT_FALSE(error) << line;
  EXPECT_TRUE(parsed.at("not_a_number").is_null());
  EXPECT_TRUE(parsed.at("infinite").is_null());
  EXPECT_EQ(parsed.at("tiny"), 0.0);
}

TEST(LogRedaction, MatchesTheWordsInAnyCaseAnywhereInLongNames) {
  json::object fields{{"X-Upstream-AUTHORIZATION", "Bearer abc"},
                      {std::string(300, 'a') + "Session_Token", "t"},
                      {"tokens_used", 12},
                      {"tok", "short"},
                      {"author", "ann"}};
  redact(fields);
  EXPECT_EQ(fields.at("X-Upstream-AUTHORIZATION"), "[REDACTED]");
  EXPECT_EQ(fields.at(std::string(300, 'a') + "Session_Token"), "[REDACTED]");
  EXPECT_EQ(fields.at("tokens_used"), "[REDACTED]") << "a name containing a word is redacted, as documented";
  EXPECT_EQ(fields.at("tok"), "short");
  EXPECT_EQ(fields.at("author"), "ann");
}
