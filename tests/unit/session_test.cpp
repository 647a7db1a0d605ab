#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "protocol/jsonrpc.hpp"
#include "protocol/session.hpp"

using namespace prodmcp::protocol;

TEST(Session, EvictsTheOldestStreamsFirst) {
  SessionRegistry registry;
  auto session = registry.create(Revision::k2025_11_25, {}, {});
  ASSERT_TRUE(session);
  for (int i = 0; i < 70; ++i) session->open_stream();  // 64 are kept
  EXPECT_FALSE(session->find_stream("1"));
  EXPECT_FALSE(session->find_stream("6"));
  EXPECT_TRUE(session->find_stream("7"));
  EXPECT_TRUE(session->find_stream("10"));
  EXPECT_TRUE(session->find_stream("70"));
}

TEST(Session, RegistryFindsRemovesAndLimits) {
  SessionRegistry registry(2);
  auto first = registry.create(Revision::k2025_06_18, {}, {});
  auto second = registry.create(Revision::k2025_03_26, {}, {});
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->id(), second->id());
  EXPECT_FALSE(registry.create(Revision::k2025_11_25, {}, {}));  // full
  EXPECT_EQ(registry.find(first->id()), first);
  EXPECT_TRUE(registry.remove(first->id()));
  EXPECT_FALSE(registry.find(first->id()));
  EXPECT_TRUE(registry.create(Revision::k2025_11_25, {}, {}));
}

TEST(Session, BoundsTheServerToClientRequestsAwaitingAnAnswer) {
  boost::asio::io_context io;
  SessionRegistry registry;
  auto session = registry.create(Revision::k2025_11_25, {}, {});
  ASSERT_TRUE(session);
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < Session::kMaxPendingReplies; ++i) ids.push_back(session->expect_reply(io.get_executor()).first);
  try {
    session->expect_reply(io.get_executor());
    FAIL() << "a 65th unanswered request was accepted";
  } catch (RpcError const& error) {
    EXPECT_EQ(error.code, -32014);
  }
  // A request no longer awaited frees a place.
  session->forget_reply(ids.front());
  EXPECT_NO_THROW(session->expect_reply(io.get_executor()));
}

TEST(Session, AdmitsAtMostTheGivenNumberOfRequestsServedAtOnce) {
  SessionRegistry registry;
  auto session = registry.create(Revision::k2025_11_25, {}, {});
  ASSERT_TRUE(session);
  EXPECT_TRUE(session->begin_serving(2));
  EXPECT_TRUE(session->begin_serving(2));
  EXPECT_FALSE(session->begin_serving(2));
  session->end_serving();
  EXPECT_TRUE(session->begin_serving(2));
}
