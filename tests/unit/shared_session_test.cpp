// Sessions shared between replicas through a session store: two registries play two replicas.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <set>

#include "protocol/session.hpp"

namespace asio = boost::asio;
using namespace prodmcp::protocol;

namespace {

// The store as Redis would hold it, in memory; it can play an outage.
class MemoryStore final : public SessionStore {
 public:
  bool available = true;
  int calls = 0;
  std::map<std::string, SessionFields> sessions;
  std::set<std::string> ended;
  std::set<std::string> awaited;
  std::map<std::string, std::string> replies;

  asio::awaitable<std::pair<Outcome, SessionFields>> load(std::string id, std::chrono::milliseconds) override {
    ++calls;
    if (!available) co_return std::pair{Outcome::kUnavailable, SessionFields{}};
    if (ended.contains(id)) co_return std::pair{Outcome::kEnded, SessionFields{}};
    auto it = sessions.find(id);
    if (it == sessions.end()) co_return std::pair{Outcome::kAbsent, SessionFields{}};
    co_return std::pair{Outcome::kDone, it->second};
  }
  asio::awaitable<Outcome> create(std::string id, SessionFields fields, std::chrono::milliseconds) override {
    ++calls;
    if (!available) co_return Outcome::kUnavailable;
    sessions[id] = std::move(fields);
    co_return Outcome::kDone;
  }
  asio::awaitable<Outcome> update(std::string id, std::vector<SessionFieldChange> changes) override {
    ++calls;
    if (!available) co_return Outcome::kUnavailable;
    if (ended.contains(id)) co_return Outcome::kEnded;
    auto it = sessions.find(id);
    if (it == sessions.end()) co_return Outcome::kAbsent;
    for (auto& change : changes) {
      if (change.value) it->second[change.field] = *change.value;
      else it->second.erase(change.field);
    }
    co_return Outcome::kDone;
  }
  asio::awaitable<Outcome> expect_reply(std::string session_id, std::string request_key,
                                        std::chrono::milliseconds) override {
    if (!available) co_return Outcome::kUnavailable;
    awaited.insert(session_id + " " + request_key);
    co_return Outcome::kDone;
  }
  asio::awaitable<Outcome> put_reply(std::string session_id, std::string request_key, std::string reply) override {
    if (!available) co_return Outcome::kUnavailable;
    if (!awaited.erase(session_id + " " + request_key)) co_return Outcome::kAbsent;
    replies[session_id + " " + request_key] = std::move(reply);
    co_return Outcome::kDone;
  }
  asio::awaitable<std::pair<Outcome, std::string>> take_reply(std::string session_id,
                                                              std::string request_key) override {
    if (!available) co_return std::pair{Outcome::kUnavailable, std::string()};
    auto node = replies.extract(session_id + " " + request_key);
    if (node.empty()) co_return std::pair{Outcome::kAbsent, std::string()};
    co_return std::pair{Outcome::kDone, std::move(node.mapped())};
  }
  asio::awaitable<Outcome> end(std::string id, std::chrono::milliseconds) override {
    ++calls;
    if (!available) co_return Outcome::kUnavailable;
    ended.insert(id);
    co_return sessions.erase(id) ? Outcome::kDone : Outcome::kAbsent;
  }
};

class SharedSessions : public ::testing::Test {
 protected:
  SharedSessions() {
    replica_a.share(store, std::chrono::minutes(30));
    replica_b.share(store, std::chrono::minutes(30));
  }

  template <typename T>
  T run(asio::awaitable<T> work) {
    auto future = asio::co_spawn(io, std::move(work), asio::use_future);
    io.restart();
    io.run();
    return future.get();
  }
  void run(asio::awaitable<void> work) {
    auto future = asio::co_spawn(io, std::move(work), asio::use_future);
    io.restart();
    io.run();
    future.get();
  }

  std::shared_ptr<Session> create_on_a() {
    auto session = replica_a.create(Revision::k2025_06_18, boost::json::object{{"sampling", boost::json::object{}}},
                                    boost::json::object{{"name", "client"}, {"version", "1"}}, "alice");
    run(replica_a.publish(*session));
    return session;
  }

  asio::io_context io;
  MemoryStore store;
  SessionRegistry replica_a;
  SessionRegistry replica_b;
};

}  // namespace

TEST_F(SharedSessions, AnyReplicaServesASessionAnotherCreated) {
  auto const created = create_on_a();
  ASSERT_TRUE(store.sessions.contains(created->id()));
  EXPECT_FALSE(replica_b.find(created->id()));

  auto const copy = run(replica_b.lookup(created->id()));
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->revision(), Revision::k2025_06_18);
  EXPECT_EQ(copy->client_id(), "alice");
  EXPECT_EQ(copy->client_info().at("name"), "client");
  EXPECT_TRUE(copy->client_capabilities().contains("sampling"));
  EXPECT_EQ(replica_b.find(created->id()), copy);  // kept as this replica's copy
  EXPECT_EQ(run(replica_b.lookup(created->id())), copy);
}

TEST_F(SharedSessions, ChangesOnOneReplicaReachTheOthers) {
  auto const on_a = create_on_a();
  auto const on_b = run(replica_b.lookup(on_a->id()));
  ASSERT_TRUE(on_b);
  on_b->mark_initialized();
  on_b->set_log_level(LogLevel::kError);
  on_b->subscribe("demo://clock");
  on_b->subscribe("demo://other");
  run(replica_b.publish(*on_b));
  EXPECT_FALSE(on_a->initialized());

  EXPECT_EQ(run(replica_a.lookup(on_a->id())), on_a);
  EXPECT_TRUE(on_a->initialized());
  EXPECT_EQ(on_a->log_level(), LogLevel::kError);
  EXPECT_TRUE(on_a->subscribed("demo://clock"));
  EXPECT_TRUE(on_a->subscribed("demo://other"));

  on_a->unsubscribe("demo://clock");
  run(replica_a.publish(*on_a));
  run(replica_b.lookup(on_a->id()));
  EXPECT_FALSE(on_b->subscribed("demo://clock"));
  EXPECT_TRUE(on_b->subscribed("demo://other"));
}

TEST_F(SharedSessions, TheGatewaysRemoteSessionsReachEveryReplica) {
  auto const on_a = create_on_a();
  on_a->set_upstream_session("search", "3f9a 2025-11-25");
  run(replica_a.publish(*on_a));
  auto const on_b = run(replica_b.lookup(on_a->id()));  // a new copy, from every stored field
  ASSERT_TRUE(on_b);
  EXPECT_EQ(on_b->upstream_session("search"), "3f9a 2025-11-25");
  EXPECT_FALSE(on_b->upstream_session("notes"));
  on_b->set_upstream_session("search", "77c1 2025-11-25");  // b started another: the last one stored wins
  run(replica_b.publish(*on_b));
  run(replica_a.lookup(on_a->id()));
  EXPECT_EQ(on_a->upstream_session("search"), "77c1 2025-11-25");
}

TEST_F(SharedSessions, ASessionEndedOnOneReplicaEndsOnAll) {
  auto const on_a = create_on_a();
  auto const on_b = run(replica_b.lookup(on_a->id()));
  ASSERT_TRUE(on_b);
  auto const stream = on_a->claim_standalone_stream();
  ASSERT_TRUE(stream);

  run(replica_b.end(on_a->id()));
  EXPECT_FALSE(replica_b.find(on_a->id()));
  EXPECT_TRUE(store.ended.contains(on_a->id()));
  on_a->set_log_level(LogLevel::kDebug);
  run(replica_a.publish(*on_a));  // a change racing the end does not bring it back
  EXPECT_FALSE(store.sessions.contains(on_a->id()));
  EXPECT_FALSE(run(replica_a.lookup(on_a->id())));
  EXPECT_FALSE(replica_a.find(on_a->id()));  // the copy is gone and its stream finished
  EXPECT_TRUE(stream->finished());
}

TEST_F(SharedSessions, ACopyCheckedRecentlyServesWithoutAskingTheStore) {
  replica_a.set_recheck_interval(std::chrono::hours(1));
  auto const on_a = create_on_a();  // checked: it was just written
  auto const calls = store.calls;
  EXPECT_EQ(run(replica_a.lookup(on_a->id())), on_a);
  EXPECT_EQ(store.calls, calls);
  run(replica_b.end(on_a->id()));
  EXPECT_EQ(run(replica_a.lookup(on_a->id())), on_a);  // the end shows here only at the next check

  replica_a.set_recheck_interval(std::chrono::milliseconds(0));
  EXPECT_FALSE(run(replica_a.lookup(on_a->id())));
}

TEST_F(SharedSessions, AnOutageServesLocalCopiesAndCatchesUpAfterwards) {
  auto const on_a = create_on_a();
  store.available = false;
  EXPECT_EQ(run(replica_a.lookup(on_a->id())), on_a);  // this replica's copy still serves
  EXPECT_FALSE(run(replica_b.lookup(on_a->id())));     // nobody can say: not found here

  on_a->set_log_level(LogLevel::kWarning);
  run(replica_a.publish(*on_a));  // kept for later
  auto const during = replica_a.create(Revision::k2025_11_25, {}, {}, "bob");
  run(replica_a.publish(*during));
  EXPECT_FALSE(during->published());

  store.available = true;
  EXPECT_EQ(run(replica_a.lookup(during->id())), during);  // written now
  EXPECT_TRUE(during->published());
  auto const copy = run(replica_b.lookup(during->id()));
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->client_id(), "bob");

  run(replica_a.publish(*on_a));
  EXPECT_EQ(store.sessions.at(on_a->id()).at("log_level"), std::to_string(static_cast<int>(LogLevel::kWarning)));
}

TEST_F(SharedSessions, ASessionTheStoreLostComesBackFromAReplicasCopy) {
  auto const on_a = create_on_a();
  on_a->mark_initialized();
  on_a->subscribe("demo://clock");
  run(replica_a.publish(*on_a));
  store.sessions.clear();  // Redis restarted without persistence, or evicted the key

  EXPECT_EQ(run(replica_a.lookup(on_a->id())), on_a);
  auto const copy = run(replica_b.lookup(on_a->id()));
  ASSERT_TRUE(copy);
  EXPECT_TRUE(copy->initialized());
  EXPECT_TRUE(copy->subscribed("demo://clock"));

  store.sessions.clear();  // lost again: a change puts the whole session back
  copy->set_log_level(LogLevel::kNotice);
  run(replica_b.publish(*copy));
  ASSERT_TRUE(store.sessions.contains(on_a->id()));
  EXPECT_EQ(store.sessions.at(on_a->id()).at("client_id"), "alice");
  EXPECT_EQ(store.sessions.at(on_a->id()).count("log_level"), 1u);
}

TEST_F(SharedSessions, AnAnswerThatReachesAnotherReplicaFindsTheRequestWaitingForIt) {
  auto const on_a = create_on_a();
  auto const on_b = run(replica_b.lookup(on_a->id()));
  ASSERT_TRUE(on_b);
  auto [request_id, pending] = on_a->expect_reply(io.get_executor());
  run(on_a->announce_reply(request_id, std::chrono::seconds(5)));
  boost::json::object const answer{
      {"jsonrpc", "2.0"}, {"id", request_id}, {"result", boost::json::object{{"answer", 42}}}};
  EXPECT_FALSE(on_b->deliver_reply(id_key(boost::json::value(request_id)), answer));  // nobody waits on b

  auto waited = asio::co_spawn(io, on_a->wait_reply(request_id, pending, std::chrono::seconds(5)), asio::use_future);
  asio::co_spawn(io, replica_b.forward_reply(*on_b, answer), asio::detached);
  io.restart();
  io.run();
  auto const got = waited.get();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->at("result").at("answer"), 42);
  EXPECT_TRUE(store.replies.empty());  // taken
}

TEST_F(SharedSessions, AnswersNobodyWaitsForAreNotKept) {
  auto const on_a = create_on_a();
  boost::json::object const unasked{{"jsonrpc", "2.0"}, {"id", "srv-made-up"}, {"result", boost::json::object{}}};
  run(replica_b.forward_reply(*on_a, unasked));
  EXPECT_TRUE(store.replies.empty());
}

TEST_F(SharedSessions, IdsThisServerDidNotMakeNeverReachTheStore) {
  for (std::string const& id : std::vector<std::string>{"", "x", "../../etc", std::string(32, 'G'), std::string(33, 'a'),
                                                       std::string(4096, 'a')})
    EXPECT_FALSE(run(replica_a.lookup(id))) << id;
  EXPECT_EQ(store.calls, 0);
  EXPECT_FALSE(run(replica_a.lookup(std::string(32, 'a'))));  // well-formed: asked, and absent
  EXPECT_EQ(store.calls, 1);
}

TEST_F(SharedSessions, MalformedStoredFieldsAreNotASession) {
  std::string const id(32, 'b');
  store.sessions[id] = {{"revision", "2025-06-18"}, {"client_id", "alice"}, {"capabilities", "{not json"},
                        {"client_info", "{}"}};
  EXPECT_FALSE(run(replica_a.lookup(id)));
  store.sessions[id] = {{"revision", "2026-07-28"}, {"client_id", "alice"}, {"capabilities", "{}"},
                        {"client_info", "{}"}};
  EXPECT_FALSE(run(replica_a.lookup(id)));  // the stateless revision has no sessions
  store.sessions[id] = {{"revision", "2025-06-18"}, {"client_id", "alice"}, {"capabilities", "{}"},
                        {"client_info", "{}"}, {"log_level", "99"}};
  auto const session = run(replica_a.lookup(id));
  ASSERT_TRUE(session);
  EXPECT_FALSE(session->log_level());  // an out-of-range level is ignored, the session still serves
}

TEST_F(SharedSessions, AFullRegistryStillServesSessionsFromTheStore) {
  SessionRegistry small(1);
  small.share(store, std::chrono::minutes(30));
  auto const first = create_on_a();
  auto const second = create_on_a();
  ASSERT_TRUE(run(small.lookup(first->id())));
  auto const served = run(small.lookup(second->id()));
  ASSERT_TRUE(served);
  EXPECT_EQ(served->id(), second->id());
  EXPECT_EQ(small.size(), 1u);
}

TEST(Session, WithoutAStoreNoChangesAreKept) {
  SessionRegistry registry;
  auto session = registry.create(Revision::k2025_11_25, {}, {});
  session->mark_initialized();
  session->set_log_level(LogLevel::kDebug);
  session->subscribe("demo://clock");
  EXPECT_TRUE(session->take_changes().empty());
  EXPECT_EQ(session->client_id(), "anonymous");
}
