#pragma once
// Splits bytes read from a pipe into newline-delimited messages, skipping lines over a size limit
// (stdio's framing, on both sides: the stdio transport and the gateway's upstream connections).
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace prodmcp::util {

class LineReader {
 public:
  explicit LineReader(std::size_t max_line) : max_line_(max_line) {}

  // Calls `on_line(std::string&)` for each complete, non-empty line (it may move the text out) and
  // `on_oversized()` once for each line that exceeded the limit, as soon as it does; the rest of
  // such a line is skipped.
  template <class OnLine, class OnOversized>
  void feed(std::string_view chunk, OnLine&& on_line, OnOversized&& on_oversized) {
    while (!chunk.empty()) {
      auto const newline = chunk.find('\n');
      if (!discarding_) pending_.append(chunk.substr(0, newline));
      if (!discarding_ && pending_.size() > max_line_) {
        pending_.clear();
        discarding_ = true;
        on_oversized();
      }
      if (newline == std::string_view::npos) break;
      chunk.remove_prefix(newline + 1);
      if (!discarding_ && !pending_.empty() && pending_ != "\r") on_line(pending_);
      pending_.clear();
      discarding_ = false;
    }
  }

  // At end of input: a last line without a newline (empty when there is none).
  std::string take_rest() { return std::exchange(pending_, {}); }

 private:
  std::size_t const max_line_;
  std::string pending_;
  bool discarding_ = false;
};

}  // namespace prodmcp::util
