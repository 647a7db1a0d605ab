#pragma once
// The gateway: the upstream MCP servers of [upstreams.*], supervised, with their tools,
// resources, resource templates and prompts in the server's catalog under their exposed names,
// each forwarding to its upstream. With one upstream names stay as they are; with several each
// gets a prefix (NAME__ unless `prefix` says otherwise).
#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "config/settings.hpp"
#include "ops/probes.hpp"
#include "protocol/catalog.hpp"
#include "protocol/request_state.hpp"

namespace prodmcp::ops {
class Metrics;
}

namespace prodmcp::gateway {

namespace asio = boost::asio;
namespace json = boost::json;

class Gateway {
 public:
  // Asks a client session something outside any call, given the capability it needs (see
  // Engine::ask_session).
  using SessionAsker = std::function<asio::awaitable<json::object>(
      std::string const& session, std::string method, json::object params, std::string capability)>;

  // Fronts `settings.upstreams`. `session_alive` says whether a client session still exists:
  // per-client children of ended sessions, and of sessions unused for
  // server.session_idle_timeout_s, are ended. With sessions shared in Redis, a client's remote
  // sessions live there too (see Upstream). `ask` carries a client session's child's requests
  // outside any call (sampling, elicitation, roots) to it. `request_state` seals the requestState
  // of a 2026-07-28 client's rounds (see InputRounds).
  Gateway(config::Settings const& settings, protocol::Catalog& catalog, ops::Metrics* metrics,
          std::function<bool(std::string const& session)> session_alive, SessionAsker ask,
          protocol::RequestStateCodec const& request_state);
  ~Gateway();  // stops what still runs
  Gateway(Gateway const&) = delete;
  Gateway& operator=(Gateway const&) = delete;

  void start();
  // Ends every child (stdin closed, SIGTERM, SIGKILL after `grace`, waited for) and every remote
  // session. Call it before the io_contexts that made calls are destroyed: connections to remote
  // servers are kept alive on the callers' io_contexts, so each call stays on its thread.
  void stop(std::chrono::milliseconds grace);
  // The mcp_servers readiness check: each upstream's state and a ping's latency.
  asio::awaitable<ops::CheckResult> check();
  // The admin port's /upstreams: each upstream as Upstream::describe() says, with the names its
  // tools have here (the first 500) and how many tools, prompts and resources it offers.
  json::array describe() const;
  // Restarts the upstream called `name` (Upstream::restart); false when there is none.
  bool restart(std::string const& name, std::string const& why);
  // The admin port's /trace: the proxied calls after sequence number `after`, both legs of each
  // (see CallTrace): {"calls": [...], "next": N, "skipped": M}.
  json::object trace(std::uint64_t after, std::size_t limit) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace prodmcp::gateway
