// Well-formed UTF-8: what may go into a JSON document as it is, and what becomes U+FFFD.
#include <gtest/gtest.h>

#include "util/utf8.hpp"

using namespace prodmcp::util;

TEST(Utf8, AcceptsEveryWellFormedLength) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("h\xc3\xa9llo"));             // é
  EXPECT_TRUE(is_valid_utf8("\xe2\x82\xac"));             // €
  EXPECT_TRUE(is_valid_utf8("\xf0\x9f\x98\x80"));         // U+1F600
  EXPECT_TRUE(is_valid_utf8("\xf4\x8f\xbf\xbf"));         // U+10FFFF, the last code point
  EXPECT_EQ(utf8_sequence_length("\xf0\x9f\x98\x80x"), 4u);
}

TEST(Utf8, RefusesWhatStrictParsersRefuse) {
  EXPECT_FALSE(is_valid_utf8("\x80"));              // a continuation byte alone
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xe0\x80\xaf"));      // overlong, three bytes
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // a UTF-16 surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xf5\x80\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));          // cut short
  EXPECT_FALSE(is_valid_utf8("\xc3("));             // a lead byte without its continuation
}

TEST(Utf8, ReplacesEachBadByteAndKeepsTheRest) {
  EXPECT_EQ(to_valid_utf8("ok"), "ok");
  EXPECT_EQ(to_valid_utf8("a\x80z"), "a\xef\xbf\xbdz");
  EXPECT_EQ(to_valid_utf8("\xe2\x82 \xc3\xa9"), "\xef\xbf\xbd\xef\xbf\xbd \xc3\xa9");
  EXPECT_TRUE(is_valid_utf8(to_valid_utf8("\xff\xfe\xc0\xaf\xed\xa0\x80")));
}
