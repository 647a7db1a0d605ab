#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "protocol/event_stream.hpp"

namespace asio = boost::asio;
using prodmcp::protocol::EventStream;

namespace {
EventStream::Batch next(asio::io_context& io, EventStream& stream, std::uint64_t after, std::uint64_t reader) {
  auto future = asio::co_spawn(io, stream.next(after, reader, io.get_executor()), asio::use_future);
  io.restart();
  io.run();
  return future.get();
}
}  // namespace

TEST(EventStream, ReplaysEventsAfterAnIdAndFinishes) {
  asio::io_context io;
  EventStream stream("7", 16);
  stream.push("a");
  stream.push("b");
  stream.push("c");
  stream.finish();
  EXPECT_EQ(stream.event_id(2), "7_2");
  auto const reader = stream.attach_reader();
  auto batch = next(io, stream, 1, reader);
  ASSERT_EQ(batch.events.size(), 2u);
  EXPECT_EQ(batch.events[0].data, "b");
  EXPECT_EQ(batch.events[1].sequence, 3u);
  EXPECT_TRUE(batch.finished);
  EXPECT_EQ(stream.push("late"), 0u);  // nothing is added after finish
}

TEST(EventStream, RetainsABoundedNumberOfEvents) {
  asio::io_context io;
  EventStream stream("1", 2);
  for (int i = 0; i < 5; ++i) stream.push(std::to_string(i));
  stream.finish();
  auto batch = next(io, stream, 0, stream.attach_reader());
  ASSERT_EQ(batch.events.size(), 2u);
  EXPECT_EQ(batch.events[0].data, "3");
}

TEST(EventStream, RetainsABoundedNumberOfBytesButAlwaysTheNewestEvent) {
  asio::io_context io;
  EventStream stream("1", 100, 1000);
  for (int i = 0; i < 10; ++i) stream.push(std::string(300, static_cast<char>('a' + i)));
  auto batch = next(io, stream, 0, stream.attach_reader());
  ASSERT_EQ(batch.events.size(), 3u);  // 900 bytes; a fourth would pass 1000
  EXPECT_EQ(batch.events[0].data[0], 'h');
  stream.push(std::string(5000, 'z'));  // larger than the bound on its own: kept, alone
  stream.finish();
  batch = next(io, stream, 0, stream.attach_reader());
  ASSERT_EQ(batch.events.size(), 1u);
  EXPECT_EQ(batch.events[0].data.size(), 5000u);
  EXPECT_TRUE(batch.finished);
}

TEST(EventStream, ANewReaderDisplacesTheOldOne) {
  asio::io_context io;
  EventStream stream("1", 8);
  auto const first = stream.attach_reader();
  auto const second = stream.attach_reader();
  EXPECT_TRUE(next(io, stream, 0, first).detach);
  stream.push("x");
  auto batch = next(io, stream, 0, second);
  EXPECT_FALSE(batch.detach);
  EXPECT_EQ(batch.events.size(), 1u);
  stream.disconnect_reader();
  EXPECT_TRUE(next(io, stream, 1, second).detach);
}

TEST(EventStream, WakesAWaitingReader) {
  asio::io_context io;
  EventStream stream("1", 8);
  auto const reader = stream.attach_reader();
  auto future = asio::co_spawn(io, stream.next(0, reader, io.get_executor()), asio::use_future);
  io.poll();  // the reader now waits
  stream.push("hello");
  io.run();
  auto batch = future.get();
  ASSERT_EQ(batch.events.size(), 1u);
  EXPECT_EQ(batch.events[0].data, "hello");
}
