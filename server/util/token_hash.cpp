#include "util/token_hash.hpp"

#include <openssl/sha.h>

#include <array>

namespace prodmcp::util {

std::string hash_token(std::string_view token) {
  // The one-shot SHA256() skips OpenSSL 3's per-call algorithm fetch: this runs on every request.
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<unsigned char const*>(token.data()), token.size(), digest.data());
  unsigned const length = SHA256_DIGEST_LENGTH;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text = "sha256:";
  for (unsigned i = 0; i < length; ++i) {
    text += kHex[digest[i] >> 4];
    text += kHex[digest[i] & 0xf];
  }
  return text;
}

}  // namespace prodmcp::util
