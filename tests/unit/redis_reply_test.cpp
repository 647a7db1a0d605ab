// Redis replies as the connection reads them (hiredis's reader, bounded) and as the session store
// takes them.
#include <gtest/gtest.h>

#include "cache/redis_client.hpp"
#include "sessions/redis_session_store.hpp"

using prodmcp::cache::read_replies;
using prodmcp::cache::RedisReply;
using Store = prodmcp::sessions::RedisSessionStore;

TEST(RedisReplies, ReadsEveryKindAndStopsAtAnIncompleteOne) {
  auto const replies = read_replies("+OK\r\n:42\r\n$3\r\nabc\r\n$-1\r\n-ERR no\r\n*2\r\n$1\r\na\r\n:1\r\n$10\r\nshort");
  ASSERT_EQ(replies.size(), 6u);
  EXPECT_EQ(replies[0].type, RedisReply::Type::kStatus);
  EXPECT_EQ(replies[1].integer, 42);
  EXPECT_EQ(replies[2].text, "abc");
  EXPECT_EQ(replies[3].type, RedisReply::Type::kNil);
  EXPECT_EQ(replies[4].type, RedisReply::Type::kError);
  ASSERT_EQ(replies[5].elements.size(), 2u);
  EXPECT_EQ(replies[5].elements[1].integer, 1);
}

// hiredis 0.14 allocates an array's element table from the announced count: 2e9 elements would be
// 16 GB before a single one arrived (found by fuzzing). Such a reply is a protocol error instead.
TEST(RedisReplies, RefusesAnArrayAnnouncingMoreElementsThanAReplyMayHave) {
  EXPECT_TRUE(read_replies("*2000000000\r\n:1\r\n").empty());
  EXPECT_TRUE(read_replies("*2000000\r\n").empty());
  EXPECT_EQ(read_replies("*1000\r\n").size(), 0u) << "incomplete, but not refused";
}

TEST(RedisReplies, TheLoadScriptsReplyBecomesASessionsFields) {
  auto const hash = read_replies("*4\r\n$8\r\nrevision\r\n$10\r\n2025-11-25\r\n$9\r\nclient_id\r\n$1\r\nc\r\n");
  ASSERT_EQ(hash.size(), 1u);
  auto const [outcome, fields] = Store::fields_of(hash[0]);
  EXPECT_EQ(outcome, Store::Outcome::kDone);
  EXPECT_EQ(fields.at("client_id"), "c");
  EXPECT_EQ(Store::fields_of(read_replies("*2\r\n$5\r\nended\r\n$1\r\n1\r\n")[0]).first, Store::Outcome::kEnded);
  EXPECT_EQ(Store::fields_of(read_replies("*0\r\n")[0]).first, Store::Outcome::kAbsent);
  EXPECT_EQ(Store::fields_of(read_replies(":1\r\n")[0]).first, Store::Outcome::kUnavailable);
}
