#include <gtest/gtest.h>

#include "http/origin_policy.hpp"

using prodmcp::http::OriginPolicy;

TEST(OriginPolicy, LoopbackServerAcceptsOnlyLocalHostsAndOrigins) {
  OriginPolicy const policy(true, {"https://console.example.com"});
  for (auto host : {"localhost", "localhost:8080", "127.0.0.1:9", "[::1]:8080", "LOCALHOST"})
    EXPECT_TRUE(policy.host_allowed(host)) << host;
  for (auto host : {"evil.example.com", "evil.example.com:8080", "127.0.0.1.evil.com", "localhost.evil.com:1"})
    EXPECT_FALSE(policy.host_allowed(host)) << host;
  EXPECT_TRUE(policy.origin_allowed(""));
  EXPECT_TRUE(policy.origin_allowed("http://localhost:3000"));
  EXPECT_TRUE(policy.origin_allowed("https://console.example.com"));
  EXPECT_FALSE(policy.origin_allowed("http://evil.example.com"));
  EXPECT_FALSE(policy.origin_allowed("null"));
}

TEST(OriginPolicy, PublicBindStillChecksOrigins) {
  OriginPolicy const policy(false, {});
  EXPECT_TRUE(policy.host_allowed("mcp.example.com"));
  EXPECT_FALSE(policy.origin_allowed("https://evil.example.com"));
}
