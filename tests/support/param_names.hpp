#pragma once
// Names for the rows of value-parameterized tests, so a failure (and ctest's list) says which row:
// `Rows/PromqlParseError.SaysWhereAndWhatWasExpected/r32_sum_by_a_x` instead of the row's bytes.
#include <gtest/gtest.h>

#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>

namespace prodmcp::testing {

// "r<index>_" and the row's text with every run of other characters as one '_', cut to a length
// a person reads at a glance. The index keeps names unique when two texts differ only in symbols.
inline std::string readable_row_name(std::size_t index, std::string_view text) {
  std::string name = "r" + std::to_string(index);
  bool gap = true;
  std::size_t words = 0;
  for (char const c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      if (gap) name += '_';
      name += c;
      gap = false;
      if (++words >= 40) break;
    } else {
      gap = true;
    }
  }
  return name;
}

// A name generator for INSTANTIATE_TEST_SUITE_P: `text_of(row)` is what identifies a row.
template <typename Row, typename TextOf>
auto row_names(TextOf text_of) {
  return [text_of](::testing::TestParamInfo<Row> const& info) {
    return readable_row_name(info.index, text_of(info.param));
  };
}

}  // namespace prodmcp::testing
