#include "logging/recent_lines.hpp"

#include <gtest/gtest.h>

using prodmcp::logging::RecentLines;

TEST(RecentLines, ReplaysTheLastLinesAndFollowsFromTheCursor) {
  RecentLines recent(3);
  for (auto const* line : {"a", "b", "c", "d"}) recent.append(line);  // "a" falls out
  EXPECT_EQ(recent.end(), 4u);
  auto const replay = recent.since(recent.replay_from(2), 10);
  EXPECT_EQ(replay.lines, (std::vector<std::string>{"c", "d"}));
  EXPECT_EQ(replay.next, 4u);
  EXPECT_EQ(replay.skipped, 0u);
  EXPECT_TRUE(recent.since(replay.next, 10).lines.empty());
  recent.append("e");
  EXPECT_EQ(recent.since(replay.next, 10).lines, (std::vector<std::string>{"e"}));
}

TEST(RecentLines, AReaderBehindTheBufferLearnsHowManyItMissed) {
  RecentLines recent(2);
  for (auto const* line : {"a", "b", "c", "d", "e"}) recent.append(line);
  auto const batch = recent.since(1, 10);
  EXPECT_EQ(batch.skipped, 2u);  // "b" and "c" are gone
  EXPECT_EQ(batch.lines, (std::vector<std::string>{"d", "e"}));
  EXPECT_EQ(batch.next, 5u);
}

TEST(RecentLines, BatchesAreBoundedAndReplayNeverGoesBeforeTheStart) {
  RecentLines recent(10);
  for (int i = 0; i < 5; ++i) recent.append(std::to_string(i));
  EXPECT_EQ(recent.replay_from(100), 0u);
  auto const first = recent.since(0, 2);
  EXPECT_EQ(first.lines, (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(recent.since(first.next, 2).lines, (std::vector<std::string>{"2", "3"}));
  EXPECT_TRUE(recent.since(99, 2).lines.empty());
  EXPECT_EQ(recent.since(99, 2).next, 5u);
}

TEST(RecentLines, KeepsABoundedNumberOfBytesButAlwaysTheNewestLine) {
  RecentLines recent(100, 1000);
  for (int i = 0; i < 10; ++i) recent.append(std::string(300, static_cast<char>('a' + i)));
  auto batch = recent.since(0, 100);
  ASSERT_EQ(batch.lines.size(), 3u);
  EXPECT_EQ(batch.skipped, 7u);
  EXPECT_EQ(batch.lines.front()[0], 'h');
  recent.append(std::string(5000, 'z'));
  batch = recent.since(recent.replay_from(100), 100);
  ASSERT_EQ(batch.lines.size(), 1u);
  EXPECT_EQ(batch.lines.front().size(), 5000u);
}

TEST(RecentLines, TakesABatchOfLinesAndWrapsAroundTheRing) {
  RecentLines recent(3);
  recent.append_lines("a\nb\n");
  recent.append_lines("c\nd\ne");  // no final newline: "e" is a line too
  EXPECT_EQ(recent.end(), 5u);
  auto const batch = recent.since(0, 10);
  EXPECT_EQ(batch.skipped, 2u);
  EXPECT_EQ(batch.lines, (std::vector<std::string>{"c", "d", "e"}));
  for (int i = 0; i < 7; ++i) recent.append(std::to_string(i));  // around the ring twice more
  EXPECT_EQ(recent.since(recent.replay_from(3), 10).lines, (std::vector<std::string>{"4", "5", "6"}));
  EXPECT_EQ(recent.end(), 12u);
}
