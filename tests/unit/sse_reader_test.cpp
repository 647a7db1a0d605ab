// The event-stream parser the gateway reads remote servers' answers with.
#include "util/sse_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using prodmcp::util::SseEvent;
using prodmcp::util::SseReader;

namespace {

struct Collected {
  std::vector<SseEvent> events;
  int oversized = 0;
};

Collected read_in_chunks(std::string const& stream, std::size_t chunk, std::size_t limit = 1 << 20) {
  SseReader reader(limit);
  Collected collected;
  for (std::size_t at = 0; at < stream.size(); at += chunk)
    reader.feed(
        std::string_view(stream).substr(at, chunk), [&](SseEvent& event) { collected.events.push_back(event); },
        [&] { ++collected.oversized; });
  return collected;
}

}  // namespace

TEST(SseReader, SplitsEventsWhateverTheChunkingAndLineEnds) {
  std::string const stream =
      ": a comment\r\nid: 7\r\nevent: message\r\ndata: {\"a\":1}\r\n\r\n"  // CRLF
      "data: first\rdata: second\r\r"                                      // CR only
      "retry: 1000\ndata:no space\n\n"                                     // LF, no space after the colon
      "id: 9\ndata: \n\n"                                                  // an empty data line is an event
      "event: ping\n\n";                                                   // no data: no event
  for (std::size_t chunk : {1u, 2u, 3u, 7u, 1000u}) {
    auto const collected = read_in_chunks(stream, chunk);
    ASSERT_EQ(collected.events.size(), 4u) << "chunk " << chunk;
    EXPECT_EQ(collected.events[0].data, R"({"a":1})");
    EXPECT_EQ(collected.events[0].id, "7");
    EXPECT_EQ(collected.events[0].type, "message");
    EXPECT_EQ(collected.events[1].data, "first\nsecond");
    EXPECT_EQ(collected.events[1].id, "7") << "the last event id carries over";
    EXPECT_EQ(collected.events[2].data, "no space");
    EXPECT_EQ(collected.events[3].data, "");
    EXPECT_EQ(collected.events[3].id, "9");
  }
}

TEST(SseReader, AnEventOverTheLimitIsSkippedAndTheNextOneStillArrives) {
  std::string const stream = "data: " + std::string(100, 'x') + "\n\ndata: small\n\n";
  auto const collected = read_in_chunks(stream, 16, 50);
  EXPECT_EQ(collected.oversized, 1);
  ASSERT_EQ(collected.events.size(), 1u);
  EXPECT_EQ(collected.events[0].data, "small");
}

TEST(SseReader, AnEventWithoutItsBlankLineIsNotDispatched) {
  auto const collected = read_in_chunks("data: cut short\n", 4);
  EXPECT_TRUE(collected.events.empty());
}
