#pragma once
// Splits a text/event-stream body, fed in chunks as they arrive, into events (the WHATWG
// "server-sent events" parsing rules: CR, LF or CRLF line ends, `data:` lines joined by '\n',
// comments and unknown fields ignored, an event dispatched at a blank line). An event whose data
// grows past the limit is skipped and reported.
#include <cstddef>
#include <string>
#include <string_view>

namespace prodmcp::util {

struct SseEvent {
  std::string type;  // "message" unless the stream said otherwise
  std::string data;
  std::string id;
};

class SseReader {
 public:
  explicit SseReader(std::size_t max_event_bytes) : max_event_(max_event_bytes) {}

  // Calls `on_event(SseEvent&)` for each complete event and `on_oversized()` for each one skipped.
  template <class OnEvent, class OnOversized>
  void feed(std::string_view chunk, OnEvent&& on_event, OnOversized&& on_oversized) {
    for (char c : chunk) {
      if (skip_lf_) {
        skip_lf_ = false;
        if (c == '\n') continue;
      }
      if (c == '\r' || c == '\n') {
        skip_lf_ = c == '\r';
        line_done(on_event, on_oversized);
        continue;
      }
      if (line_.size() <= max_event_) line_.push_back(c);
    }
  }

  std::string const& last_event_id() const { return last_id_; }

 private:
  template <class OnEvent, class OnOversized>
  void line_done(OnEvent& on_event, OnOversized& on_oversized) {
    if (line_.empty()) {  // dispatch
      if (oversized_) {
        on_oversized();
      } else if (has_data_) {
        SseEvent event{type_.empty() ? "message" : std::move(type_), std::move(data_), last_id_};
        on_event(event);
      }
      data_.clear(), type_.clear(), has_data_ = false, oversized_ = false;
      return;
    }
    std::string_view line(line_);
    if (line.front() != ':') {
      auto const colon = line.find(':');
      auto const field = line.substr(0, colon);
      std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
      if (value.starts_with(' ')) value.remove_prefix(1);
      if (field == "data") {
        if (has_data_) data_.push_back('\n');
        data_.append(value);
        has_data_ = true;
        if (data_.size() > max_event_ || line_.size() > max_event_) oversized_ = true, data_.clear();
      } else if (field == "event") {
        type_ = std::string(value);
      } else if (field == "id" && value.find('\0') == std::string_view::npos) {
        last_id_ = std::string(value);
      }
    }
    line_.clear();
  }

  std::size_t const max_event_;
  std::string line_, data_, type_, last_id_;
  bool has_data_ = false, oversized_ = false, skip_lf_ = false;
};

}  // namespace prodmcp::util
