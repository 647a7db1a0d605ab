#pragma once
// The two legs of each proxied call, for the admin port's /trace: the client's request to the
// gateway (its JSON-RPC id, correlation id, session, how long the gateway took to answer it) and
// each attempt the gateway made upstream (the id it used there, when it went, how long the
// upstream took, how it ended), so a person sees what the gateway itself added. Bounded: the
// newest calls are kept.
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace prodmcp::gateway {

namespace json = boost::json;

// The attempts of one call on the upstream leg; filled as they happen, from any thread.
class UpstreamLegs {
 public:
  struct Leg {
    std::int64_t upstream_id = 0;  // the JSON-RPC id the gateway used upstream; 0 before it was sent
    double sent_after_ms = 0;      // since the client's request reached the gateway
    double duration_ms = 0;
    std::string outcome;  // ok, error (the upstream's own), failed, cancelled, refused (not sent)
  };
  explicit UpstreamLegs(std::chrono::steady_clock::time_point started) : started_(started) {}
  void begin();
  void sent(std::int64_t upstream_id);
  void end(std::string_view outcome);
  std::vector<Leg> legs() const;

 private:
  std::chrono::steady_clock::time_point const started_;
  mutable std::mutex mutex_;
  std::vector<Leg> legs_;
  std::chrono::steady_clock::time_point leg_started_;
};

struct TracedCall {
  std::int64_t at_unix_ms = 0;  // when the client's request reached the gateway
  std::string correlation_id;
  std::string session;  // the first 8 characters of the client's session id; empty when stateless
  json::value client_id;  // the client's JSON-RPC id
  std::string method;     // tools/call, prompts/get, resources/read, completion/complete
  std::string name;       // the tool's or prompt's name as the client called it, or the URI
  std::string upstream;
  double total_ms = 0;  // the client's leg: from its request to the gateway's answer
  std::vector<UpstreamLegs::Leg> legs;
  std::string outcome;  // ok, or error
  std::string error;    // the error message the client got
};

class CallTrace {
 public:
  explicit CallTrace(std::size_t capacity = 2000) : capacity_(capacity) {}
  void record(TracedCall call);
  // The calls after sequence number `after` (oldest first, at most `limit`), and the number to ask
  // after next time. Calls pushed out of the ring are counted in `skipped`.
  struct Page {
    json::array calls;
    std::uint64_t next = 0;
    std::uint64_t skipped = 0;
  };
  Page since(std::uint64_t after, std::size_t limit) const;

 private:
  std::size_t const capacity_;
  mutable std::mutex mutex_;
  std::deque<std::pair<std::uint64_t, TracedCall>> calls_;
  std::uint64_t next_sequence_ = 1;
};

}  // namespace prodmcp::gateway
