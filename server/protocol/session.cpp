#include "protocol/session.hpp"
#include "protocol/jsonrpc.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <functional>

#include "util/random.hpp"

namespace prodmcp::protocol {

namespace {
std::int64_t now_ticks() { return std::chrono::steady_clock::now().time_since_epoch().count(); }
constexpr std::size_t kEventsRetainedPerStream = 256;
constexpr std::size_t kStreamsRetainedPerSession = 64;

// The store's field names. Subscriptions are one field each, so two replicas subscribing at once
// both land.
namespace field {
constexpr std::string_view kRevision = "revision";
constexpr std::string_view kClientId = "client_id";
constexpr std::string_view kCapabilities = "capabilities";
constexpr std::string_view kClientInfo = "client_info";
constexpr std::string_view kInitialized = "initialized";
constexpr std::string_view kLogLevel = "log_level";
constexpr std::string_view kSubscriptionPrefix = "sub:";
constexpr std::string_view kUpstreamPrefix = "upstream:";  // the gateway's remote sessions, one field each
}  // namespace field

// The fields whose names start with `prefix`, the prefix cut off.
std::map<std::string, std::string> fields_with_prefix(SessionFields const& fields, std::string_view prefix) {
  std::map<std::string, std::string> found;
  for (auto it = fields.lower_bound(std::string(prefix)); it != fields.end() && it->first.starts_with(prefix); ++it)
    found.emplace(it->first.substr(prefix.size()), it->second);
  return found;
}

std::optional<json::object> parse_object(SessionFields const& fields, std::string_view name) {
  auto it = fields.find(std::string(name));
  if (it == fields.end()) return std::nullopt;
  boost::system::error_code ec;
  auto value = json::parse(it->second, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.get_object());
}

std::optional<LogLevel> parse_shared_level(SessionFields const& fields) {
  auto it = fields.find(std::string(field::kLogLevel));
  if (it == fields.end()) return std::nullopt;
  int level = -1;
  auto const [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), level);
  if (ec != std::errc{} || level < 0 || level > static_cast<int>(LogLevel::kEmergency)) return std::nullopt;
  return static_cast<LogLevel>(level);
}
}  // namespace

struct Session::PendingReply {
  explicit PendingReply(asio::any_io_executor executor) : channel(std::move(executor), 1) {}
  asio::experimental::concurrent_channel<void(boost::system::error_code, json::object)> channel;
};

std::string id_key(json::value const& id) {
  if (id.is_string()) return "s:" + std::string(id.get_string());
  return "n:" + json::serialize(id);
}

Session::Session(std::string id, Revision revision, json::object client_capabilities, json::object client_info,
                 std::string client_id)
    : id_(std::move(id)),
      revision_(revision),
      client_capabilities_(std::make_shared<json::object const>(std::move(client_capabilities))),
      client_info_(std::move(client_info)),
      client_id_(std::move(client_id)),
      last_seen_(now_ticks()) {}

std::shared_ptr<Session> Session::from_shared_fields(std::string id, SessionFields const& fields) {
  auto const revision_field = fields.find(std::string(field::kRevision));
  auto const client_field = fields.find(std::string(field::kClientId));
  if (revision_field == fields.end() || client_field == fields.end()) return nullptr;
  auto const revision = parse_revision(revision_field->second);
  auto capabilities = parse_object(fields, field::kCapabilities);
  auto client_info = parse_object(fields, field::kClientInfo);
  if (!revision || is_stateless(*revision) || !capabilities || !client_info) return nullptr;
  auto session = std::make_shared<Session>(std::move(id), *revision, std::move(*capabilities),
                                           std::move(*client_info), client_field->second);
  session->apply_shared_fields(fields);
  session->published_ = true;
  return session;
}

void Session::mark_initialized() {
  if (initialized_.exchange(true)) return;
  record_change(std::string(field::kInitialized), "1");
}

void Session::set_log_level(LogLevel level) {
  int const value = static_cast<int>(level);
  if (log_level_.exchange(value) == value) return;
  record_change(std::string(field::kLogLevel), std::to_string(value));
}

void Session::record_change(std::string name, std::optional<std::string> value) {
  std::lock_guard lock(mutex_);
  if (store_) changes_.push_back({std::move(name), std::move(value)});
}

void Session::share(SessionStore& store) {
  std::lock_guard lock(mutex_);
  store_ = &store;
}

bool Session::published() const {
  std::lock_guard lock(mutex_);
  return published_;
}

void Session::set_published(bool published) {
  std::lock_guard lock(mutex_);
  published_ = published;
}

std::vector<SessionFieldChange> Session::take_changes() {
  std::lock_guard lock(mutex_);
  return std::exchange(changes_, {});
}

void Session::restore_changes(std::vector<SessionFieldChange> changes) {
  std::lock_guard lock(mutex_);
  // Older changes first, so a newer one for the same field still wins.
  changes.insert(changes.end(), std::make_move_iterator(changes_.begin()), std::make_move_iterator(changes_.end()));
  changes_ = std::move(changes);
}

SessionFields Session::take_all_fields() {
  SessionFields fields{{std::string(field::kRevision), std::string(to_string(revision_))},
                       {std::string(field::kClientId), client_id_},
                       {std::string(field::kCapabilities), json::serialize(*client_capabilities_)},
                       {std::string(field::kClientInfo), json::serialize(client_info_)}};
  if (initialized_) fields[std::string(field::kInitialized)] = "1";
  if (auto const level = log_level()) fields[std::string(field::kLogLevel)] = std::to_string(static_cast<int>(*level));
  std::lock_guard lock(mutex_);
  for (auto const& uri : subscriptions_) fields[std::string(field::kSubscriptionPrefix) + uri] = "1";
  for (auto const& [upstream, value] : upstream_sessions_) fields[std::string(field::kUpstreamPrefix) + upstream] = value;
  changes_.clear();
  return fields;
}

void Session::apply_shared_fields(SessionFields const& fields) {
  if (fields.contains(std::string(field::kInitialized))) initialized_ = true;
  if (auto const level = parse_shared_level(fields)) log_level_ = static_cast<int>(*level);
  std::set<std::string> subscriptions;
  for (auto const& [uri, value] : fields_with_prefix(fields, field::kSubscriptionPrefix)) subscriptions.insert(uri);
  auto upstream_sessions = fields_with_prefix(fields, field::kUpstreamPrefix);
  std::lock_guard lock(mutex_);
  subscriptions_ = std::move(subscriptions);
  upstream_sessions_ = std::move(upstream_sessions);
}

void Session::set_upstream_session(std::string const& upstream, std::string value) {
  {
    std::lock_guard lock(mutex_);
    auto& held = upstream_sessions_[upstream];
    if (held == value) return;
    held = value;
  }
  record_change(std::string(field::kUpstreamPrefix) + upstream, std::move(value));
}

std::optional<std::string> Session::upstream_session(std::string const& upstream) const {
  std::lock_guard lock(mutex_);
  auto const it = upstream_sessions_.find(upstream);
  return it == upstream_sessions_.end() ? std::nullopt : std::optional<std::string>(it->second);
}

std::optional<LogLevel> Session::log_level() const {
  int const level = log_level_.load(std::memory_order_relaxed);
  if (level < 0) return std::nullopt;
  return static_cast<LogLevel>(level);
}

void Session::mark_checked() { checked_.store(now_ticks(), std::memory_order_relaxed); }

std::chrono::steady_clock::time_point Session::checked() const {
  return std::chrono::steady_clock::time_point(
      std::chrono::steady_clock::duration(checked_.load(std::memory_order_relaxed)));
}

void Session::touch() { last_seen_.store(now_ticks(), std::memory_order_relaxed); }

std::chrono::steady_clock::time_point Session::last_seen() const {
  return std::chrono::steady_clock::time_point(
      std::chrono::steady_clock::duration(last_seen_.load(std::memory_order_relaxed)));
}

void Session::subscribe(std::string const& uri) {
  {
    std::lock_guard lock(mutex_);
    if (subscriptions_.size() >= kMaxSubscriptions || !subscriptions_.insert(uri).second) return;
  }
  record_change(std::string(field::kSubscriptionPrefix) + uri, "1");
}

void Session::unsubscribe(std::string const& uri) {
  {
    std::lock_guard lock(mutex_);
    if (subscriptions_.erase(uri) == 0) return;
  }
  record_change(std::string(field::kSubscriptionPrefix) + uri, std::nullopt);
}

bool Session::can_subscribe(std::string const& uri) const {
  std::lock_guard lock(mutex_);
  return subscriptions_.size() < kMaxSubscriptions || subscriptions_.contains(uri);
}

bool Session::subscribed(std::string const& uri) const {
  std::lock_guard lock(mutex_);
  return subscriptions_.contains(uri);
}

bool Session::begin_serving(std::size_t most) {
  if (serving_.fetch_add(1, std::memory_order_relaxed) < most) return true;
  serving_.fetch_sub(1, std::memory_order_relaxed);
  return false;
}

void Session::end_serving() { serving_.fetch_sub(1, std::memory_order_relaxed); }

std::shared_ptr<InFlightRequest> Session::begin_request(std::string const& id, asio::any_io_executor executor) {
  auto request = std::make_shared<InFlightRequest>();
  request->executor = std::move(executor);
  std::lock_guard lock(mutex_);
  in_flight_[id] = request;
  return request;
}

void Session::end_request(std::string const& id) {
  std::lock_guard lock(mutex_);
  in_flight_.erase(id);
}

bool Session::cancel_request(std::string const& id) {
  std::shared_ptr<InFlightRequest> request;
  {
    std::lock_guard lock(mutex_);
    auto it = in_flight_.find(id);
    if (it == in_flight_.end()) return false;
    request = it->second;
  }
  request->cancelled = true;
  // The signal belongs to the request's executor; emit it there.
  asio::post(request->executor, [request] { request->signal.emit(asio::cancellation_type::all); });
  return true;
}

std::size_t Session::in_flight() const {
  std::lock_guard lock(mutex_);
  return in_flight_.size();
}

std::pair<std::string, std::shared_ptr<Session::PendingReply>> Session::expect_reply(
    asio::any_io_executor executor) {
  auto pending = std::make_shared<PendingReply>(std::move(executor));
  std::lock_guard lock(mutex_);
  // Unique across replicas: the answer may reach another one, which hands it over by this id.
  std::string id = "srv-" + util::unique_id();
  if (pending_.size() >= kMaxPendingReplies)
    throw RpcError{error_code::kTooManyInFlight, "the client has " + std::to_string(kMaxPendingReplies) +
                                                     " requests from this server unanswered; answer them first"};
  if (!closed_) pending_[id_key(json::value(id))] = pending;
  else pending->channel.close();
  return {std::move(id), std::move(pending)};
}

asio::awaitable<void> Session::announce_reply(std::string const& id, std::chrono::milliseconds timeout) {
  SessionStore* store = nullptr;
  {
    std::lock_guard lock(mutex_);
    store = store_;
  }
  if (store) co_await store->expect_reply(id_, id_key(json::value(id)), timeout);
}

asio::awaitable<std::optional<json::object>> Session::wait_reply(std::string const& id,
                                                                 std::shared_ptr<PendingReply> pending,
                                                                 std::chrono::milliseconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  auto const key = id_key(json::value(id));
  // However the wait ends (answer, timeout, the caller cancelled), the place is freed.
  struct Forget {
    Session& session;
    std::string const& id;
    ~Forget() { session.forget_reply(id); }
  } const forget{*this, id};
  SessionStore* store = nullptr;
  {
    std::lock_guard lock(mutex_);
    store = store_;
  }
  // Shared sessions: the answer may come to another replica; look in the store this often.
  constexpr std::chrono::milliseconds kStorePoll{100};
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  std::optional<json::object> response;
  for (;;) {
    auto const left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) break;
    timer.expires_after(store ? std::min<std::chrono::steady_clock::duration>(left, kStorePoll) : left);
    auto outcome = co_await (pending->channel.async_receive(asio::as_tuple(asio::use_awaitable)) ||
                             timer.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (outcome.index() == 0) {
      auto& [ec, received] = std::get<0>(outcome);
      if (!ec) response = std::move(received);
      break;
    }
    if (!store) continue;
    auto [found, text] = co_await store->take_reply(id_, key);
    if (found != SessionStore::Outcome::kDone) continue;
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    if (!ec && value.is_object()) response = std::move(value.get_object());
    break;
  }
  co_return response;
}

void Session::forget_reply(std::string const& id) {
  std::lock_guard lock(mutex_);
  pending_.erase(id_key(json::value(id)));
}

bool Session::deliver_reply(std::string const& id, json::object response) {
  std::shared_ptr<PendingReply> pending;
  {
    std::lock_guard lock(mutex_);
    auto it = pending_.find(id);
    if (it == pending_.end()) return false;
    pending = it->second;
  }
  return pending->channel.try_send(boost::system::error_code{}, std::move(response));
}

std::shared_ptr<EventStream> Session::open_stream() {
  std::lock_guard lock(mutex_);
  auto stream = std::make_shared<EventStream>(std::to_string(++next_stream_), kEventsRetainedPerStream);
  streams_[stream->id()] = stream;
  while (streams_.size() > kStreamsRetainedPerSession) streams_.erase(streams_.begin());
  return stream;
}

std::shared_ptr<EventStream> Session::find_stream(std::string const& id) const {
  std::lock_guard lock(mutex_);
  if (standalone_ && standalone_->id() == id) return standalone_;
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : it->second;
}

void Session::forget_stream(std::string const& id) {
  std::lock_guard lock(mutex_);
  streams_.erase(id);
}

std::shared_ptr<EventStream> Session::standalone_stream() const {
  std::lock_guard lock(mutex_);
  return standalone_;
}

std::shared_ptr<EventStream> Session::claim_standalone_stream() {
  std::lock_guard lock(mutex_);
  if (standalone_claimed_ || closed_) return nullptr;
  if (!standalone_) standalone_ = std::make_shared<EventStream>("0", kEventsRetainedPerStream);
  standalone_claimed_ = true;
  return standalone_;
}

void Session::release_standalone_stream() {
  std::lock_guard lock(mutex_);
  standalone_claimed_ = false;
}

void Session::close() {
  std::unordered_map<std::string, std::shared_ptr<PendingReply>> pending;
  StreamMap streams;
  std::shared_ptr<EventStream> standalone;
  std::unordered_map<std::string, std::shared_ptr<InFlightRequest>> in_flight;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    pending.swap(pending_);
    streams.swap(streams_);
    standalone.swap(standalone_);
    in_flight = in_flight_;
  }
  for (auto& [id, reply] : pending) reply->channel.close();
  for (auto& [id, stream] : streams) stream->finish();
  if (standalone) standalone->finish();
  for (auto& [id, request] : in_flight) {
    request->cancelled = true;
    asio::post(request->executor, [request] { request->signal.emit(asio::cancellation_type::all); });
  }
}

SessionRegistry::Shard& SessionRegistry::shard_for(std::string const& id) const {
  return shards_[std::hash<std::string>{}(id) % kShards];
}

void SessionRegistry::share(SessionStore& store, std::chrono::milliseconds idle) {
  store_ = &store;
  store_ttl_ = idle;
}

std::shared_ptr<Session> SessionRegistry::create(Revision revision, json::object client_capabilities,
                                                 json::object client_info, std::string client_id) {
  if (count_.load(std::memory_order_relaxed) >= max_sessions_) return nullptr;
  auto session = std::make_shared<Session>(util::random_hex(16), revision, std::move(client_capabilities),
                                           std::move(client_info), std::move(client_id));
  if (store_) session->share(*store_);
  auto& shard = shard_for(session->id());
  std::lock_guard lock(shard.mutex);
  shard.sessions.emplace(session->id(), session);
  count_.fetch_add(1, std::memory_order_relaxed);
  return session;
}

std::shared_ptr<Session> SessionRegistry::find(std::string const& id) const {
  auto& shard = shard_for(id);
  std::lock_guard lock(shard.mutex);
  auto it = shard.sessions.find(id);
  return it == shard.sessions.end() ? nullptr : it->second;
}

std::shared_ptr<Session> SessionRegistry::adopt(std::shared_ptr<Session> session) {
  // A full registry still serves the request; the copy is just not kept.
  if (count_.load(std::memory_order_relaxed) >= max_sessions_) return session;
  auto& shard = shard_for(session->id());
  std::lock_guard lock(shard.mutex);
  auto [it, inserted] = shard.sessions.emplace(session->id(), session);
  if (inserted) count_.fetch_add(1, std::memory_order_relaxed);
  return it->second;
}

asio::awaitable<std::shared_ptr<Session>> SessionRegistry::lookup(std::string const& id) {
  auto local = find(id);
  // Ids this server did not make never reach the store.
  if (!store_ || !util::is_random_hex(id, 16)) co_return local;
  if (local && local->published() &&
      std::chrono::steady_clock::now() - local->checked() < std::chrono::milliseconds(recheck_.load()))
    co_return local;
  auto [outcome, fields] = co_await store_->load(id, store_ttl_);
  switch (outcome) {
    case SessionStore::Outcome::kUnavailable:
      co_return local;  // serve what this replica has until the store is back
    case SessionStore::Outcome::kEnded:
      if (local) remove(id);  // the client ended it on another replica
      co_return nullptr;
    case SessionStore::Outcome::kAbsent:
      if (!local) co_return nullptr;
      // Created here while the store was unavailable, or the store lost it: it gets there now.
      local->set_published(false);
      co_await publish(*local);
      co_return local;
    case SessionStore::Outcome::kDone: break;
  }
  if (local) {
    local->apply_shared_fields(fields);
    local->mark_checked();
    co_return local;
  }
  auto copy = Session::from_shared_fields(id, fields);
  if (!copy) co_return nullptr;
  copy->share(*store_);
  copy->mark_checked();
  co_return adopt(std::move(copy));
}

asio::awaitable<void> SessionRegistry::publish(Session& session) {
  if (!store_) co_return;
  if (!session.published()) {
    auto fields = session.take_all_fields();
    if (co_await store_->create(session.id(), std::move(fields), store_ttl_) == SessionStore::Outcome::kDone) {
      session.set_published(true);
      session.mark_checked();
    }
    co_return;
  }
  auto changes = session.take_changes();
  if (changes.empty()) co_return;
  auto const kept = changes;
  switch (co_await store_->update(session.id(), std::move(changes))) {
    case SessionStore::Outcome::kUnavailable:
      session.restore_changes(kept);  // for the next publish
      break;
    case SessionStore::Outcome::kAbsent:
      session.set_published(false);  // the store lost it: put it back whole
      co_await publish(session);
      break;
    default: break;
  }
}

asio::awaitable<void> SessionRegistry::forward_reply(Session const& session, json::object const& response) {
  if (!store_) co_return;
  auto const* id = response.if_contains("id");
  if (!id) co_return;
  co_await store_->put_reply(session.id(), id_key(*id), json::serialize(response));
}

asio::awaitable<void> SessionRegistry::end(std::string const& id) {
  remove(id);
  if (store_) co_await store_->end(id, store_ttl_);
}

bool SessionRegistry::remove(std::string const& id) {
  std::shared_ptr<Session> session;
  {
    auto& shard = shard_for(id);
    std::lock_guard lock(shard.mutex);
    auto it = shard.sessions.find(id);
    if (it == shard.sessions.end()) return false;
    session = std::move(it->second);
    shard.sessions.erase(it);
    count_.fetch_sub(1, std::memory_order_relaxed);
  }
  session->close();
  return true;
}

void SessionRegistry::for_each(std::function<void(Session&)> const& visit) const {
  for (auto& shard : shards_) {
    std::vector<std::shared_ptr<Session>> sessions;
    {
      std::lock_guard lock(shard.mutex);
      sessions.reserve(shard.sessions.size());
      for (auto const& [id, session] : shard.sessions) sessions.push_back(session);
    }
    for (auto& session : sessions) visit(*session);
  }
}

std::size_t SessionRegistry::expire_idle(std::chrono::steady_clock::duration idle) {
  auto const cutoff = std::chrono::steady_clock::now() - idle;
  std::vector<std::string> expired;
  for_each([&](Session& session) {
    if (session.last_seen() < cutoff && session.in_flight() == 0) expired.push_back(session.id());
  });
  for (auto const& id : expired) remove(id);
  return expired.size();
}

void SessionRegistry::finish_standalone_streams() {
  for_each([](Session& session) {
    if (auto stream = session.standalone_stream()) stream->finish();
  });
}

void SessionRegistry::close_all() {
  std::vector<std::string> ids;
  for_each([&](Session& session) { ids.push_back(session.id()); });
  for (auto const& id : ids) remove(id);
}

}  // namespace prodmcp::protocol
