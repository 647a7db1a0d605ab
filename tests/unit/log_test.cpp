// Log line helpers: redaction of secrets and the timestamp format.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <regex>

#include "logging/log.hpp"

namespace json = boost::json;
using namespace prodmcp::logging;

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
