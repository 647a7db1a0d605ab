#include "logging/recent_lines.hpp"

#include <algorithm>

namespace prodmcp::logging {

namespace {
constexpr std::size_t kKeptSlack = 2048;  // capacity a slot may keep beyond twice its line
}  // namespace

void RecentLines::append(std::string_view line) {
  std::lock_guard lock(mutex_);
  append_locked(line);
}

void RecentLines::append_lines(std::string_view lines) {
  std::lock_guard lock(mutex_);
  while (!lines.empty()) {
    auto const end = lines.find('\n');
    append_locked(lines.substr(0, end));
    lines.remove_prefix(end == std::string_view::npos ? lines.size() : end + 1);
  }
}

void RecentLines::append_locked(std::string_view line) {
  if (end_ - first_ == capacity_) {  // the ring is full: the oldest line gives its place
    bytes_ -= at(first_).size();
    ++first_;
  }
  auto& slot = ring_[end_ % capacity_];
  // Storage is reused, but a slot does not keep much more than its line needs: what the ring holds
  // stays near max_bytes_ however long some earlier line was.
  if (slot.capacity() > kKeptSlack && slot.capacity() > 2 * line.size()) std::string().swap(slot);
  slot.assign(line);
  bytes_ += line.size();
  ++end_;
  while (bytes_ > max_bytes_ && end_ - first_ > 1) {
    auto& oldest = ring_[first_ % capacity_];
    bytes_ -= oldest.size();
    std::string().swap(oldest);
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
  from = std::min(from, end_);
  auto const count = static_cast<std::size_t>(std::min<std::uint64_t>(end_ - from, max));
  batch.lines.reserve(count);
  for (std::uint64_t number = from; number < from + count; ++number) batch.lines.push_back(at(number));
  batch.next = from + count;
  return batch;
}

std::uint64_t RecentLines::end() const {
  std::lock_guard lock(mutex_);
  return end_;
}

std::uint64_t RecentLines::replay_from(std::size_t count) const {
  std::lock_guard lock(mutex_);
  return end_ - std::min<std::uint64_t>(count, end_ - first_);
}

}  // namespace prodmcp::logging
