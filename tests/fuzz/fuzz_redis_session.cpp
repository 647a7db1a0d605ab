// Redis replies into a session: RESP bytes read by hiredis's reader as the connection reads them,
// the load script's reply taken as a session's fields, and a session built from them as another
// replica would. A session must survive its own round trip through the store unchanged.
#include "cache/redis_client.hpp"
#include "fuzz_target.hpp"
#include "protocol/session.hpp"
#include "sessions/redis_session_store.hpp"

PRODMCP_FUZZ_TARGET(redis_session) {
  using prodmcp::protocol::Session;
  using Store = prodmcp::sessions::RedisSessionStore;
  for (auto const& reply : prodmcp::cache::read_replies(prodmcp::fuzz::as_text(data, size))) {
    (void)prodmcp::cache::RedisResult{prodmcp::cache::RedisResult::Failure::kNone, reply}.describe();
    auto const [outcome, fields] = Store::fields_of(reply);
    if (outcome != Store::Outcome::kDone) continue;
    auto const session = Session::from_shared_fields("fuzz", fields);
    if (!session) continue;
    auto const published = session->take_all_fields();
    auto const copy = Session::from_shared_fields("fuzz", published);
    if (!copy || copy->take_all_fields() != published) __builtin_trap();
    // What another replica changed arrives as fields too.
    copy->apply_shared_fields(fields);
  }
  return 0;
}
