// The Redis client against a real redis-server: commands, timeouts, outages and reconnection.
#include <gtest/gtest.h>

#include <thread>

#include "cache/redis_client.hpp"
#include "redis_client_fixture.hpp"
#include "redis_under_test.hpp"
#include "server_under_test.hpp"

using namespace prodmcp::cache;
using prodmcp::testing::ClientFixture;
using prodmcp::testing::options_for;
using prodmcp::testing::RedisUnderTest;
using prodmcp::testing::wait_until;


TEST(RedisClient, RoundTripsStringsIntegersNilAndErrors) {
  RedisUnderTest redis;
  ClientFixture fixture(options_for(redis.url()));
  ASSERT_TRUE(fixture.wait_connected(std::chrono::seconds(5)));

  std::string const binary("a\0b\r\nc", 6);
  EXPECT_TRUE(fixture.run({"SET", "k", binary}).ok());
  auto const value = fixture.run({"GET", "k"});
  ASSERT_TRUE(value.ok()) << value.describe();
  EXPECT_EQ(value.reply.type, RedisReply::Type::kString);
  EXPECT_EQ(value.reply.text, binary);
  EXPECT_EQ(fixture.run({"GET", "missing"}).reply.type, RedisReply::Type::kNil);
  EXPECT_EQ(fixture.run({"INCRBY", "n", "41"}).reply.integer, 41);
  auto const wrong = fixture.run({"LPUSH", "k", "x"});
  EXPECT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.reply.type, RedisReply::Type::kError);
  EXPECT_NE(wrong.describe().find("WRONGTYPE"), std::string::npos);
}

TEST(RedisClient, SelectsTheDatabaseOfTheUrl) {
  RedisUnderTest redis;
  ClientFixture fixture(options_for(redis.url() + "/3"));
  ASSERT_TRUE(fixture.wait_connected(std::chrono::seconds(5)));
  ASSERT_TRUE(fixture.run({"SET", "in-db-3", "yes"}).ok());
  EXPECT_NE(redis.cli("-n 3 GET in-db-3").find("yes"), std::string::npos);
  EXPECT_EQ(redis.cli("-n 0 GET in-db-3").find("yes"), std::string::npos);
}

TEST(RedisClient, ASlowServerIsBoundedByTheCommandTimeout) {
  RedisUnderTest redis;
  ClientFixture fixture(options_for(redis.url()));
  ASSERT_TRUE(fixture.wait_connected(std::chrono::seconds(5)));
  std::thread sleeper([&] { redis.cli("DEBUG SLEEP 3"); });
  // Only once Redis is asleep does the command have something to time out on.
  ASSERT_TRUE(wait_until([&] { return !redis.answers_within(std::chrono::milliseconds(100)); },
                         std::chrono::seconds(10)));
  auto const started = std::chrono::steady_clock::now();
  auto const result = fixture.run({"GET", "k"});
  auto const waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(result.failure, RedisResult::Failure::kTimeout) << result.describe();
  EXPECT_LT(waited, std::chrono::milliseconds(2500)) << "the command waited for the sleeping server";
  sleeper.join();
  // Once Redis wakes up, the connection serves again.
  EXPECT_TRUE(fixture.run({"PING"}).ok());
}

TEST(RedisClient, FailsFastWhileDownAndReconnectsWhenRedisReturns) {
  RedisUnderTest redis;
  ClientFixture fixture(options_for(redis.url()));
  ASSERT_TRUE(fixture.wait_connected(std::chrono::seconds(5)));
  ASSERT_TRUE(fixture.run({"SET", "k", "v"}).ok());

  redis.kill();
  // In flight or new: every command ends (no hang) without a reply.
  for (int i = 0; i < 20; ++i) {
    auto const result = fixture.run({"GET", "k"});
    EXPECT_FALSE(result.ok());
    EXPECT_NE(result.failure, RedisResult::Failure::kNone);
  }
  EXPECT_FALSE(fixture.client().connected());

  redis.start();
  ASSERT_TRUE(fixture.wait_connected(std::chrono::seconds(5)));
  EXPECT_TRUE(fixture.run({"SET", "k", "again"}).ok());
  EXPECT_EQ(fixture.run({"GET", "k"}).reply.text, "again");
}

TEST(RedisClient, ConnectsLaterWhenRedisStartsAfterTheClient) {
  auto const port = prodmcp::testing::stable_loopback_port();  // nothing listens; not ephemeral either
  ClientFixture fixture(options_for("redis://127.0.0.1:" + std::to_string(port)));
  EXPECT_EQ(fixture.run({"PING"}).failure, RedisResult::Failure::kNotConnected);
  EXPECT_FALSE(fixture.wait_connected(std::chrono::milliseconds(100)));
  RedisUnderTest redis(port);
  ASSERT_TRUE(fixture.wait_connected(std::chrono::seconds(5)));
  EXPECT_TRUE(fixture.run({"PING"}).ok());
}

TEST(RedisClient, ServesManyConcurrentCallers) {
  RedisUnderTest redis;
  ClientFixture fixture(options_for(redis.url()));
  ASSERT_TRUE(fixture.wait_connected(std::chrono::seconds(5)));
  std::vector<std::thread> callers;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&, t] {
      for (int i = 0; i < 250; ++i)
        if (fixture.run({"INCR", "counter-" + std::to_string(t)}).ok()) ++ok;
    });
  for (auto& caller : callers) caller.join();
  EXPECT_EQ(ok.load(), 1000);
  EXPECT_NE(redis.cli("GET counter-3").find("250"), std::string::npos);
}

TEST(RedisClient, RejectsUnusableUrlsWithAReason) {
  EXPECT_TRUE(RedisClient::check_url("redis://localhost:6379/0").empty());
  EXPECT_TRUE(RedisClient::check_url("redis://:secret@cache.internal").empty());
  EXPECT_FALSE(RedisClient::check_url("rediss://host").empty());
  EXPECT_FALSE(RedisClient::check_url("http://host").empty());
  EXPECT_FALSE(RedisClient::check_url("redis://host/db").empty());
  EXPECT_FALSE(RedisClient::check_url("not a url").empty());
}
