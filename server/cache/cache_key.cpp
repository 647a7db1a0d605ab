#include "cache/cache_key.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <boost/json/serialize.hpp>
#include <vector>

namespace prodmcp::cache {

namespace json = boost::json;

namespace {

void write_canonical(json::value const& value, std::string& out) {
  if (auto const* object = value.if_object()) {
    std::vector<json::key_value_pair const*> fields;
    for (auto const& field : *object) fields.push_back(&field);
    std::sort(fields.begin(), fields.end(), [](auto const* a, auto const* b) { return a->key() < b->key(); });
    out.push_back('{');
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i) out.push_back(',');
      out += json::serialize(json::string_view(fields[i]->key()));
      out.push_back(':');
      write_canonical(fields[i]->value(), out);
    }
    out.push_back('}');
  } else if (auto const* array = value.if_array()) {
    out.push_back('[');
    for (std::size_t i = 0; i < array->size(); ++i) {
      if (i) out.push_back(',');
      write_canonical((*array)[i], out);
    }
    out.push_back(']');
  } else {
    out += json::serialize(value);
  }
}

}  // namespace

std::string canonical_json(json::value const& value) {
  std::string out;
  write_canonical(value, out);
  return out;
}

std::string tool_cache_key(std::string_view tool, json::value const& arguments) {
  auto const canonical = canonical_json(arguments);
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<unsigned char const*>(canonical.data()), canonical.size(), digest.data());
  unsigned const length = SHA256_DIGEST_LENGTH;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key = "prodmcp:tool:" + std::string(tool) + ":";
  for (unsigned i = 0; i < length; ++i) {
    key += kHex[digest[i] >> 4];
    key += kHex[digest[i] & 0xf];
  }
  return key;
}

}  // namespace prodmcp::cache
