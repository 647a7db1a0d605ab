// A server's log line as the console indexes it (level, event, timestamp, fields), and the log
// filter language over a store of such lines: the first line of the input is the query, the rest
// the log.
#include <atomic>
#include <string>
#include <vector>

#include "fuzz_target.hpp"
#include "logs/log_filter.hpp"
#include "logs/log_store.hpp"

PRODMCP_FUZZ_TARGET(log_lines) {
  using namespace prodmcp::console::logs;
  auto text = prodmcp::fuzz::as_text(data, size);
  auto const newline = text.find('\n');
  auto const query = text.substr(0, newline);
  text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
  LogStore store;
  while (!text.empty()) {
    auto const end = text.find('\n');
    auto const line = text.substr(0, end);
    (void)index_line(line, 1);
    (void)find_field(line, "event");
    (void)unescape_json(line);
    (void)parse_iso8601_us(line);
    store.append(line, 1);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  auto const parsed = parse_filter(query);
  if (!parsed.ok()) return 0;
  (void)format_filter(parsed.spec);
  std::atomic<bool> const cancel{false};
  (void)filter(store, parsed.spec, cancel, [](auto, auto, auto) {}, 1);
  return 0;
}
