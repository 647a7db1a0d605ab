#include "security/bearer_auth.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>

#include "util/token_hash.hpp"

namespace prodmcp::security {

void BearerAuth::configure(bool enabled, std::map<std::string, std::string> const& clients) {
  auto table = std::make_shared<Table>();
  table->enabled = enabled;
  for (auto const& [client, hash] : clients) {
    std::string normalized(hash);
    std::transform(normalized.begin(), normalized.end(), normalized.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    table->hashes[normalized] = client;
  }
  table_.store(std::move(table));
}

bool BearerAuth::enabled() const { return table_.load()->enabled; }

BearerAuth::Outcome BearerAuth::authenticate(std::string_view authorization) const {
  auto const table = table_.load();
  if (!table->enabled) return {true, "anonymous", {}};
  // A client sends the same header on every request of a connection: remember the last one this
  // thread verified against this table, and compare to it in constant time before hashing again.
  thread_local std::shared_ptr<Table const> verified_table;
  thread_local std::string verified_header;
  thread_local std::string verified_client;
  if (verified_table == table && authorization.size() == verified_header.size() && !authorization.empty() &&
      CRYPTO_memcmp(authorization.data(), verified_header.data(), authorization.size()) == 0)
    return {true, verified_client, {}, true};
  constexpr std::string_view kScheme = "bearer ";
  std::string scheme(authorization.substr(0, kScheme.size()));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
  if (authorization.empty()) return {false, {}, "send Authorization: Bearer <token>"};
  if (scheme != kScheme) return {false, {}, "the Authorization header must use the Bearer scheme"};
  auto token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  auto const hash = util::hash_token(token);
  // Every stored hash is compared, matched or not, so timing says nothing about which was close.
  std::string const* found = nullptr;
  for (auto const& [stored, client] : table->hashes)
    if (stored.size() == hash.size() && CRYPTO_memcmp(stored.data(), hash.data(), hash.size()) == 0) found = &client;
  if (!found) return {false, {}, "the bearer token is not valid"};
  verified_table = table;
  verified_header.assign(authorization);
  verified_client = *found;
  return {true, *found, {}, true};
}

}  // namespace prodmcp::security
