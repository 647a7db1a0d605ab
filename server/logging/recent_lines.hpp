#pragma once
// The most recent log lines, numbered, for the admin port's /logs stream: a reader asks for the
// lines after its cursor and learns how many it missed if it fell behind the bounded buffer.
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace prodmcp::logging {

class RecentLines {
 public:
  // At most `capacity` lines and `max_bytes` bytes of them (the newest line is always kept).
  explicit RecentLines(std::size_t capacity = 2000, std::size_t max_bytes = 4 << 20)
      : capacity_(capacity > 0 ? capacity : 1), max_bytes_(max_bytes), ring_(capacity_) {}

  void append(std::string_view line);
  // Each '\n'-separated line of `lines` (a final newline ends the last one), under one lock.
  void append_lines(std::string_view lines);

  struct Batch {
    std::vector<std::string> lines;
    std::uint64_t next = 0;     // the cursor to ask with next time
    std::uint64_t skipped = 0;  // lines between the cursor and the oldest kept one, now gone
  };
  // Up to `max` lines numbered `from` and later.
  Batch since(std::uint64_t from, std::size_t max) const;
  // The number the next appended line will get.
  std::uint64_t end() const;
  // The cursor that replays the last `count` lines.
  std::uint64_t replay_from(std::size_t count) const;

 private:
  void append_locked(std::string_view line);
  std::string const& at(std::uint64_t number) const { return ring_[number % capacity_]; }

  std::size_t const capacity_;
  std::size_t const max_bytes_;
  std::size_t bytes_ = 0;
  mutable std::mutex mutex_;
  // A ring of `capacity_` strings, line `number` at number % capacity_: a new line reuses the
  // storage of the one it replaces, so a busy server does not allocate per logged line.
  std::vector<std::string> ring_;
  std::uint64_t first_ = 0;  // number of the oldest kept line
  std::uint64_t end_ = 0;    // number the next line gets
};

}  // namespace prodmcp::logging
