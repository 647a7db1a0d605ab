#include <vector>
#include <gtest/gtest.h>

#include "protocol/request_state.hpp"

namespace json = boost::json;
using namespace prodmcp::protocol;

TEST(RequestState, RoundTripsAndRefusesTampering) {
  RequestStateCodec const codec("secret");
  auto const token = codec.seal(json::object{{"step", 2}, {"name", "x"}});
  auto const opened = codec.open(token);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->at("step").as_int64(), 2);

  std::string tampered = token;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(codec.open(tampered));
  EXPECT_FALSE(codec.open(""));
  EXPECT_FALSE(codec.open("garbage"));
  EXPECT_FALSE(RequestStateCodec("other-secret").open(token));
}

TEST(RequestState, ExpiredTokensAreRefused) {
  RequestStateCodec const codec("secret", std::chrono::seconds(-1));
  EXPECT_FALSE(codec.open(codec.seal(json::object{{"a", 1}})));
}

TEST(Base64, RoundTrips) {
  for (std::string const& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(base64_decode(base64_encode(s)), s);
    EXPECT_EQ(base64url_decode(base64url_encode(s)), s);
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_FALSE(base64_decode("Zm9v!mFy"));
}
