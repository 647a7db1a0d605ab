#include <gtest/gtest.h>

#include "protocol/uri_template.hpp"

using prodmcp::protocol::UriTemplate;

TEST(UriTemplate, MatchesSimpleVariables) {
  UriTemplate const t("test://template/{id}/data");
  auto vars = t.match("test://template/123/data");
  ASSERT_TRUE(vars);
  EXPECT_EQ(vars->at("id"), "123");
  EXPECT_FALSE(t.match("test://template/123/other"));
  EXPECT_FALSE(t.match("test://template//data"));
  EXPECT_FALSE(t.match("test://template/1/2/data"));
  EXPECT_EQ(t.variables(), std::vector<std::string>{"id"});
}

TEST(UriTemplate, ReservedExpansionSpansSlashes) {
  UriTemplate const t("file:///{+path}");
  auto vars = t.match("file:///etc/hosts");
  ASSERT_TRUE(vars);
  EXPECT_EQ(vars->at("path"), "etc/hosts");
}
