#include "logging/recent_lines.hpp"

#include <algorithm>

namespace prodmcp::logging {

void RecentLines::append(std::string_view line) {
  std::lock_guard lock(mutex_);
  lines_.emplace_back(line);
  bytes_ += line.size();
  while (lines_.size() > capacity_ || (bytes_ > max_bytes_ && lines_.size() > 1)) {
    bytes_ -= lines_.front().size();
    lines_.pop_front();
    ++first_;
  }
}

RecentLines::Batch RecentLines::since(std::uint64_t from, std::size_t max) const {
  std::lock_guard lock(mutex_);
  Batch batch;
  if (from < first_) {
    batch.skipped = first_ - from;
    from = first_;
  }
  auto const end = first_ + lines_.size();
  auto const count = static_cast<std::size_t>(std::min<std::uint64_t>(end - std::min(from, end), max));
  auto const begin = lines_.begin() + static_cast<std::ptrdiff_t>(std::min(from, end) - first_);
  batch.lines.assign(begin, begin + static_cast<std::ptrdiff_t>(count));
  batch.next = std::min(from, end) + count;
  return batch;
}

std::uint64_t RecentLines::end() const {
  std::lock_guard lock(mutex_);
  return first_ + lines_.size();
}

std::uint64_t RecentLines::replay_from(std::size_t count) const {
  std::lock_guard lock(mutex_);
  return first_ + lines_.size() - std::min(count, lines_.size());
}

}  // namespace prodmcp::logging
