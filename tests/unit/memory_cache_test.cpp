// The byte-bounded LRU cache and canonical cache keys.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "cache/cache_key.hpp"
#include "cache/memory_cache.hpp"
#include "fake_clock.hpp"

using namespace std::chrono_literals;
using prodmcp::cache::MemoryCache;

TEST(MemoryCache, EvictsTheLeastRecentlyUsedWithinTheByteBudget) {
  prodmcp::testing::FakeClock clock;
  auto const entry = MemoryCache::kEntryOverhead + 1 + 100;  // key "a" + 100-byte value
  MemoryCache cache(3 * entry, clock.function());
  std::string const value(100, 'x');
  cache.put("a", value, 60s);
  cache.put("b", value, 60s);
  cache.put("c", value, 60s);
  EXPECT_TRUE(cache.get("a"));  // a is now the most recent
  cache.put("d", value, 60s);   // evicts b
  EXPECT_FALSE(cache.get("b"));
  EXPECT_TRUE(cache.get("a"));
  EXPECT_TRUE(cache.get("c"));
  EXPECT_TRUE(cache.get("d"));
  auto const stats = cache.stats();
  EXPECT_LE(stats.bytes, 3 * entry);
  EXPECT_EQ(stats.entries, 3u);
  EXPECT_EQ(stats.evictions, 1u);
}

TEST(MemoryCache, EntriesExpire) {
  prodmcp::testing::FakeClock clock;
  MemoryCache cache(1 << 20, clock.function());
  cache.put("k", "v", 10s);
  clock.advance(9s);
  EXPECT_EQ(cache.get("k"), "v");
  clock.advance(1s);
  EXPECT_FALSE(cache.get("k"));
  EXPECT_EQ(cache.stats().expired, 1u);
  EXPECT_EQ(cache.stats().bytes, 0u);
}

TEST(MemoryCache, OverwritesAreAccountedAndOversizedValuesSkipped) {
  prodmcp::testing::FakeClock clock;
  MemoryCache cache(1000, clock.function());
  cache.put("k", std::string(100, 'a'), 60s);
  cache.put("k", std::string(200, 'b'), 60s);
  EXPECT_EQ(cache.stats().bytes, 1 + 200 + MemoryCache::kEntryOverhead);
  cache.put("huge", std::string(5000, 'c'), 60s);
  EXPECT_FALSE(cache.get("huge"));
  EXPECT_EQ(cache.get("k"), std::string(200, 'b'));
}

TEST(MemoryCache, NeverExceedsItsBudgetUnderChurn) {
  prodmcp::testing::FakeClock clock;
  MemoryCache cache(10'000, clock.function());
  for (int i = 0; i < 2000; ++i) {
    cache.put("key-" + std::to_string(i), std::string(static_cast<std::size_t>(i % 300), 'v'), 60s);
    ASSERT_LE(cache.stats().bytes, 10'000u);
  }
}

TEST(CacheKey, IgnoresKeyOrderAtEveryDepth) {
  using prodmcp::cache::tool_cache_key;
  auto const a = boost::json::parse(R"({"b":1,"a":{"y":[1,{"q":2,"p":3}],"x":"s"}})");
  auto const b = boost::json::parse(R"({"a":{"x":"s","y":[1,{"p":3,"q":2}]},"b":1})");
  EXPECT_EQ(tool_cache_key("t", a), tool_cache_key("t", b));
  EXPECT_EQ(prodmcp::cache::canonical_json(a), R"({"a":{"x":"s","y":[1,{"p":3,"q":2}]},"b":1})");
  EXPECT_NE(tool_cache_key("t", a), tool_cache_key("u", a));
  EXPECT_NE(tool_cache_key("t", boost::json::parse(R"({"a":[1,2]})")),
            tool_cache_key("t", boost::json::parse(R"({"a":[2,1]})")));
  EXPECT_TRUE(tool_cache_key("t", a).starts_with("prodmcp:tool:t:"));
  EXPECT_EQ(tool_cache_key("t", a).size(), std::string("prodmcp:tool:t:").size() + 64);
}
