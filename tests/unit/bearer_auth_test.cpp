// Bearer tokens: hashed storage, the scheme, and reconfiguration.
#include <gtest/gtest.h>

#include "security/bearer_auth.hpp"
#include "util/token_hash.hpp"

using prodmcp::security::BearerAuth;
using prodmcp::util::hash_token;

TEST(TokenHash, IsSha256Hex) {
  EXPECT_EQ(hash_token("abc"), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(BearerAuth, OffLetsEveryoneInAsAnonymous) {
  BearerAuth auth;
  auto const outcome = auth.authenticate("");
  EXPECT_TRUE(outcome.allowed);
  EXPECT_EQ(outcome.client_id, "anonymous");
}

TEST(BearerAuth, FindsTheClientOfAValidToken) {
  BearerAuth auth;
  auth.configure(true, {{"console", hash_token("token-one")}, {"ci", hash_token("token-two")}});
  EXPECT_EQ(auth.authenticate("Bearer token-two").client_id, "ci");
  EXPECT_EQ(auth.authenticate("bearer token-one").client_id, "console");
  EXPECT_TRUE(auth.authenticate("BEARER   token-one").allowed);
}

TEST(BearerAuth, RefusesWithAReason) {
  BearerAuth auth;
  auth.configure(true, {{"console", hash_token("token-one")}});
  for (auto const* header : {"", "Bearer", "Bearer token-on", "Basic token-one", "token-one"}) {
    auto const outcome = auth.authenticate(header);
    EXPECT_FALSE(outcome.allowed) << header;
    EXPECT_FALSE(outcome.problem.empty()) << header;
  }
}

TEST(BearerAuth, StoredHashesAreCaseInsensitiveAndReconfigurable) {
  BearerAuth auth;
  auto upper = hash_token("token-one");
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  upper.replace(0, 7, "sha256:");
  auth.configure(true, {{"console", upper}});
  EXPECT_TRUE(auth.authenticate("Bearer token-one").allowed);
  auth.configure(true, {{"console", hash_token("rotated")}});
  EXPECT_FALSE(auth.authenticate("Bearer token-one").allowed);
  EXPECT_TRUE(auth.authenticate("Bearer rotated").allowed);
}

TEST(BearerAuth, RepeatedHeadersStayCorrectAcrossClientsAndWrongTokens) {
  BearerAuth auth;
  auth.configure(true, {{"console", hash_token("token-one")}, {"ci", hash_token("token-two")}});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(auth.authenticate("Bearer token-one").client_id, "console");
    EXPECT_FALSE(auth.authenticate("Bearer token-onf").allowed);
    EXPECT_EQ(auth.authenticate("Bearer token-two").client_id, "ci");
    EXPECT_FALSE(auth.authenticate("").allowed);
  }
}
