#include "sessions/redis_session_store.hpp"

#include <algorithm>

namespace prodmcp::sessions {

namespace {

using Outcome = protocol::SessionStore::Outcome;
using cache::RedisReply;

// KEYS[1]: the session. ARGV[1]: milliseconds to live. Reading a session keeps it alive.
constexpr std::string_view kLoad = R"lua(
local fields = redis.call('HGETALL', KEYS[1])
if #fields > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return fields
)lua";

// KEYS[1]: the session. ARGV[1]: milliseconds to live, then field, value pairs.
constexpr std::string_view kCreate = R"lua(
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
)lua";

// KEYS[1]: the session. ARGV: triples of ("set" | "del", field, value). Returns 1, or 0 when
// the store has no such session, or 2 (writing nothing) when it ended.
constexpr std::string_view kUpdate = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HEXISTS', KEYS[1], 'ended') == 1 then return 2 end
for i = 1, #ARGV, 3 do
  if ARGV[i] == 'set' then
    redis.call('HSET', KEYS[1], ARGV[i + 1], ARGV[i + 2])
  else
    redis.call('HDEL', KEYS[1], ARGV[i + 1])
  end
end
return 1
)lua";

// KEYS[1]: the session. ARGV[1]: milliseconds to remember that it ended.
constexpr std::string_view kEnd = R"lua(
local existed = redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'ended', '1')
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return existed
)lua";

// KEYS[1]: the await marker, KEYS[2]: the answer. ARGV[1]: the answer. Kept only while a replica
// waits, for as long as it still does.
constexpr std::string_view kPutReply = R"lua(
local left = redis.call('PTTL', KEYS[1])
if left <= 0 then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1], 'PX', left)
return 1
)lua";

constexpr std::string_view kEndedField = "ended";

}  // namespace

RedisSessionStore::RedisSessionStore(cache::RedisClient& redis, resilience::CircuitBreaker* breaker,
                                     std::string key_prefix)
    : redis_(redis),
      breaker_(breaker),
      prefix_(std::move(key_prefix)),
      load_script_(kLoad),
      create_script_(kCreate),
      update_script_(kUpdate),
      end_script_(kEnd),
      put_reply_script_(kPutReply) {}

bool RedisSessionStore::usable() { return redis_.connected() && (!breaker_ || breaker_->allow()); }

bool RedisSessionStore::settle(cache::RedisResult const& result) {
  bool const ok = result.ok();
  if (breaker_) {
    if (ok) breaker_->record_success();
    else breaker_->record_failure();
  }
  return ok;
}

asio::awaitable<std::pair<Outcome, protocol::SessionFields>> RedisSessionStore::load(std::string id,
                                                                                     std::chrono::milliseconds ttl) {
  std::pair<Outcome, protocol::SessionFields> loaded{Outcome::kUnavailable, {}};
  if (!usable()) co_return loaded;
  std::vector<std::string> keys{prefix_ + id};
  std::vector<std::string> arguments{std::to_string(ttl.count())};
  auto const result = co_await load_script_.run(redis_, std::move(keys), std::move(arguments));
  if (!settle(result)) co_return loaded;
  co_return fields_of(result.reply);
}

std::pair<RedisSessionStore::Outcome, protocol::SessionFields> RedisSessionStore::fields_of(cache::RedisReply const& reply) {
  std::pair<Outcome, protocol::SessionFields> loaded{Outcome::kUnavailable, {}};
  if (reply.type != RedisReply::Type::kArray) return loaded;
  auto const& elements = reply.elements;
  for (std::size_t i = 0; i + 1 < elements.size(); i += 2) loaded.second[elements[i].text] = elements[i + 1].text;
  if (loaded.second.empty()) loaded.first = Outcome::kAbsent;
  else if (loaded.second.contains(std::string(kEndedField))) loaded.first = Outcome::kEnded;
  else loaded.first = Outcome::kDone;
  return loaded;
}

asio::awaitable<Outcome> RedisSessionStore::create(std::string id, protocol::SessionFields fields,
                                                   std::chrono::milliseconds ttl) {
  if (!usable() || fields.empty()) co_return Outcome::kUnavailable;
  std::vector<std::string> keys{prefix_ + id};
  std::vector<std::string> arguments{std::to_string(ttl.count())};
  for (auto& [name, value] : fields) {
    arguments.push_back(name);
    arguments.push_back(std::move(value));
  }
  auto const result = co_await create_script_.run(redis_, std::move(keys), std::move(arguments));
  co_return settle(result) ? Outcome::kDone : Outcome::kUnavailable;
}

asio::awaitable<Outcome> RedisSessionStore::update(std::string id, std::vector<protocol::SessionFieldChange> changes) {
  if (!usable()) co_return Outcome::kUnavailable;
  std::vector<std::string> keys{prefix_ + id};
  std::vector<std::string> arguments;
  for (auto& change : changes) {
    arguments.emplace_back(change.value ? "set" : "del");
    arguments.push_back(std::move(change.field));
    arguments.push_back(change.value ? std::move(*change.value) : std::string());
  }
  auto const result = co_await update_script_.run(redis_, std::move(keys), std::move(arguments));
  if (!settle(result)) co_return Outcome::kUnavailable;
  switch (result.reply.integer) {
    case 1: co_return Outcome::kDone;
    case 2: co_return Outcome::kEnded;
    default: co_return Outcome::kAbsent;
  }
}

asio::awaitable<Outcome> RedisSessionStore::end(std::string id, std::chrono::milliseconds ttl) {
  if (!usable()) co_return Outcome::kUnavailable;
  std::vector<std::string> keys{prefix_ + id};
  std::vector<std::string> arguments{std::to_string(ttl.count())};
  auto const result = co_await end_script_.run(redis_, std::move(keys), std::move(arguments));
  if (!settle(result)) co_return Outcome::kUnavailable;
  co_return result.reply.integer == 1 ? Outcome::kDone : Outcome::kAbsent;
}

std::string RedisSessionStore::request_key_of(std::string const& session_id, std::string_view kind,
                                              std::string const& request_key) const {
  return prefix_ + session_id + ":" + std::string(kind) + ":" + request_key;
}

asio::awaitable<Outcome> RedisSessionStore::expect_reply(std::string session_id, std::string request_key,
                                                         std::chrono::milliseconds ttl) {
  if (!usable()) co_return Outcome::kUnavailable;
  std::vector<std::string> command{"SET", request_key_of(session_id, "await", request_key), "1", "PX",
                                   std::to_string(std::max<std::int64_t>(1, ttl.count()))};
  auto const result = co_await redis_.command(std::move(command));
  co_return settle(result) ? Outcome::kDone : Outcome::kUnavailable;
}

asio::awaitable<Outcome> RedisSessionStore::put_reply(std::string session_id, std::string request_key,
                                                      std::string reply) {
  if (!usable()) co_return Outcome::kUnavailable;
  std::vector<std::string> keys{request_key_of(session_id, "await", request_key),
                                request_key_of(session_id, "reply", request_key)};
  std::vector<std::string> arguments{std::move(reply)};
  auto const result = co_await put_reply_script_.run(redis_, std::move(keys), std::move(arguments));
  if (!settle(result)) co_return Outcome::kUnavailable;
  co_return result.reply.integer == 1 ? Outcome::kDone : Outcome::kAbsent;
}

asio::awaitable<std::pair<Outcome, std::string>> RedisSessionStore::take_reply(std::string session_id,
                                                                               std::string request_key) {
  std::pair<Outcome, std::string> taken{Outcome::kUnavailable, {}};
  if (!usable()) co_return taken;
  std::vector<std::string> command{"GETDEL", request_key_of(session_id, "reply", request_key)};
  auto result = co_await redis_.command(std::move(command));
  if (!settle(result)) co_return taken;
  if (result.reply.type != RedisReply::Type::kString) {
    taken.first = Outcome::kAbsent;
    co_return taken;
  }
  taken = {Outcome::kDone, std::move(result.reply.text)};
  co_return taken;
}

}  // namespace prodmcp::sessions
