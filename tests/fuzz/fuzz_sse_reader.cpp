// An upstream's text/event-stream, fed in chunks of varying size as it would arrive.
#include <string>

#include "fuzz_target.hpp"
#include "util/sse_reader.hpp"

PRODMCP_FUZZ_TARGET(sse_reader) {
  auto text = prodmcp::fuzz::as_text(data, size);
  prodmcp::util::SseReader reader(4096);
  std::size_t events = 0, bytes = 0;
  std::size_t chunk = 1;
  while (!text.empty()) {
    auto const part = text.substr(0, chunk);
    text.remove_prefix(part.size());
    reader.feed(
        part,
        [&](auto& event) {
          ++events;
          bytes += event.data.size();
          if (event.data.size() > 4096) __builtin_trap();  // the reader's bound
        },
        [&] { ++events; });
    chunk = chunk * 3 % 97 + 1;
  }
  if (bytes > size) __builtin_trap();  // events carry no more than came in
  return 0;
}
