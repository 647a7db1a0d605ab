#include "util/random.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace prodmcp::util {

std::string random_hex(std::size_t bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::vector<unsigned char> raw(bytes);
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1)
    throw std::runtime_error("the system random generator failed");
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char b : raw) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xF]);
  }
  return out;
}

std::string unique_id() {
  thread_local std::string const prefix = random_hex(8);
  thread_local std::uint64_t counter = 0;
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string id(32, '0');
  id.replace(0, prefix.size(), prefix);
  auto value = ++counter;
  for (std::size_t i = 32; i > 16; --i, value >>= 4) id[i - 1] = kDigits[value & 0xF];
  return id;
}

bool is_random_hex(std::string_view text, std::size_t bytes) {
  return text.size() == 2 * bytes &&
         std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace prodmcp::util
