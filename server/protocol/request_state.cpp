#include "protocol/request_state.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

#include "util/random.hpp"

namespace prodmcp::protocol {

namespace {
constexpr std::string_view kStandard = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlSafe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(std::string_view bytes, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(alphabet[(n >> shift) & 63]);
  }
  std::size_t const rest = bytes.size() - i;
  if (rest > 0) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out.push_back(alphabet[(n >> 18) & 63]);
    out.push_back(alphabet[(n >> 12) & 63]);
    if (rest == 2) out.push_back(alphabet[(n >> 6) & 63]);
    if (pad) out.append(rest == 1 ? "==" : "=");
  }
  return out;
}

std::optional<std::string> decode(std::string_view text, std::string_view alphabet) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::array<int, 256> table;
  table.fill(-1);
  for (std::size_t i = 0; i < alphabet.size(); ++i) table[static_cast<unsigned char>(alphabet[i])] = int(i);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    int const v = table[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | unsigned(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

std::string hmac(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned length = 0;
  HMAC(EVP_sha256(), key.data(), int(key.size()), reinterpret_cast<unsigned char const*>(data.data()), data.size(),
       digest.data(), &length);
  return std::string(reinterpret_cast<char const*>(digest.data()), length);
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

std::string base64url_encode(std::string_view bytes) { return encode(bytes, kUrlSafe, false); }
std::optional<std::string> base64url_decode(std::string_view text) { return decode(text, kUrlSafe); }
std::string base64_encode(std::string_view bytes) { return encode(bytes, kStandard, true); }
std::optional<std::string> base64_decode(std::string_view text) { return decode(text, kStandard); }

RequestStateCodec::RequestStateCodec(std::string secret, std::chrono::seconds lifetime)
    : secret_(secret.empty() ? util::random_hex(32) : std::move(secret)), lifetime_(lifetime) {}

std::string RequestStateCodec::seal(boost::json::object const& state) const {
  boost::json::object envelope;
  envelope["exp"] = unix_now() + lifetime_.count();
  envelope["state"] = state;
  std::string const payload = base64url_encode(boost::json::serialize(envelope));
  return payload + "." + base64url_encode(hmac(secret_, payload));
}

std::optional<boost::json::object> RequestStateCodec::open(std::string_view token) const {
  auto const dot = token.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto const payload = token.substr(0, dot);
  auto const tag = base64url_decode(token.substr(dot + 1));
  auto const expected = hmac(secret_, payload);
  if (!tag || tag->size() != expected.size() || CRYPTO_memcmp(tag->data(), expected.data(), expected.size()) != 0)
    return std::nullopt;
  auto const text = base64url_decode(payload);
  if (!text) return std::nullopt;
  boost::system::error_code ec;
  auto value = boost::json::parse(*text, ec);
  if (ec || !value.is_object()) return std::nullopt;
  auto& envelope = value.as_object();
  auto const* expiry = envelope.if_contains("exp");
  auto const* state = envelope.if_contains("state");
  if (!expiry || !expiry->is_int64() || !state || !state->is_object()) return std::nullopt;
  if (expiry->get_int64() < unix_now()) return std::nullopt;
  return state->get_object();
}

}  // namespace prodmcp::protocol
