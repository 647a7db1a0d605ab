#include <gtest/gtest.h>

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
