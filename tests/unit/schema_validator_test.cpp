#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "protocol/schema_validator.hpp"

namespace json = boost::json;
using prodmcp::protocol::validate_against_schema;

namespace {
std::optional<std::string> check(char const* instance, char const* schema) {
  return validate_against_schema(json::parse(instance), json::parse(schema));
}
}  // namespace

TEST(SchemaValidator, AcceptsValidInstances) {
  char const* schema = R"({"type":"object","properties":{"code":{"type":"integer","minimum":100,"maximum":599},
    "tags":{"type":"array","items":{"type":"string"}}},"required":["code"],"additionalProperties":false})";
  EXPECT_FALSE(check(R"({"code":200})", schema));
  EXPECT_FALSE(check(R"({"code":503,"tags":["a","b"]})", schema));
}

TEST(SchemaValidator, ReportsWhereAndWhat) {
  char const* schema = R"({"type":"object","properties":{"code":{"type":"integer","minimum":100}},
    "required":["code"],"additionalProperties":false})";
  auto missing = check(R"({})", schema);
  ASSERT_TRUE(missing);
  EXPECT_NE(missing->find("code"), std::string::npos);
  auto wrong_type = check(R"({"code":"x"})", schema);
  ASSERT_TRUE(wrong_type);
  EXPECT_NE(wrong_type->find("/code"), std::string::npos);
  EXPECT_TRUE(check(R"({"code":50})", schema));
  EXPECT_TRUE(check(R"({"code":150,"extra":1})", schema));
}

TEST(SchemaValidator, FollowsRefsAndCombinators) {
  char const* schema = R"({"$defs":{"name":{"type":"string","minLength":2}},"type":"object",
    "properties":{"n":{"$ref":"#/$defs/name"},"v":{"anyOf":[{"type":"integer"},{"enum":["auto"]}]}}})";
  EXPECT_FALSE(check(R"({"n":"ok","v":3})", schema));
  EXPECT_FALSE(check(R"({"v":"auto"})", schema));
  EXPECT_TRUE(check(R"({"n":"x"})", schema));
  EXPECT_TRUE(check(R"({"v":"manual"})", schema));
}

// Found by fuzzing: a count too large for an integer (an upstream's schema may say anything) made
// the message's conversion undefined behaviour.
TEST(SchemaValidator, HugeCountsInASchemaAreReportedNotConverted) {
  auto const schema = boost::json::parse(R"({"type":"string","minLength":9e118})");
  auto const error = prodmcp::protocol::validate_against_schema(boost::json::value("xy"), schema);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("E118"), std::string::npos) << *error;
  auto const items = boost::json::parse(R"({"maxItems":2.5})");
  auto const too_many = prodmcp::protocol::validate_against_schema(boost::json::parse("[1,2,3]"), items);
  ASSERT_TRUE(too_many);
  EXPECT_NE(too_many->find("2.5"), std::string::npos) << *too_many;
}
