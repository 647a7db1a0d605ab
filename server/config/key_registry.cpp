#include "config/key_registry.hpp"

#include <algorithm>
#include <cctype>
#include <type_traits>
#include <utility>

#include "config/address.hpp"
#include "config/upstream_keys.hpp"

namespace prodmcp::config {

namespace {

template <class T>
constexpr ValueType value_type_of() {
  if constexpr (std::is_same_v<T, bool>) return ValueType::kBoolean;
  if constexpr (std::is_same_v<T, std::int64_t>) return ValueType::kInteger;
  if constexpr (std::is_same_v<T, double>) return ValueType::kNumber;
  if constexpr (std::is_same_v<T, std::string>) return ValueType::kString;
  if constexpr (std::is_same_v<T, StringList>) return ValueType::kStringList;
  if constexpr (std::is_same_v<T, StringMap>) return ValueType::kStringMap;
  if constexpr (std::is_same_v<T, IntegerMap>) return ValueType::kIntegerMap;
}

// A key bound to one member of Settings; the environment name follows PRODMCP_<SECTION>_<KEY>.
template <auto Section, auto Member>
KeySpec key(std::string name, std::string doc) {
  using Type = std::remove_cvref_t<decltype((std::declval<Settings&>().*Section).*Member)>;
  KeySpec spec;
  spec.name = std::move(name);
  spec.type = value_type_of<Type>();
  spec.doc = std::move(doc);
  spec.env = "PRODMCP_";
  for (char const c : spec.name) spec.env += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  spec.get = [](Settings const& settings) { return Value((settings.*Section).*Member); };
  spec.set = [](Settings& settings, Value const& value) { (settings.*Section).*Member = std::get<Type>(value); };
  return spec;
}

KeySpec range(KeySpec spec, double min, double max) {
  spec.min = min;
  spec.max = max;
  return spec;
}

KeySpec choices(KeySpec spec, std::vector<std::string> allowed) {
  spec.choices = std::move(allowed);
  return spec;
}

KeySpec reloadable(KeySpec spec) {
  spec.reloadable = true;
  return spec;
}

KeySpec env(KeySpec spec, std::string name) {
  spec.env = std::move(name);
  return spec;
}

std::optional<std::string> check_listen(Value const& value, bool may_be_empty) {
  auto const& text = std::get<std::string>(value);
  if (text.empty() && may_be_empty) return std::nullopt;
  std::string problem;
  if (!parse_host_port(text, problem)) return problem;
  return std::nullopt;
}

std::optional<std::string> check_origins(Value const& value) {
  for (auto const& origin : std::get<StringList>(value)) {
    auto const scheme_end = origin.find("://");
    auto const scheme = origin.substr(0, scheme_end == std::string::npos ? 0 : scheme_end);
    if ((scheme != "http" && scheme != "https") || origin.size() <= scheme_end + 3 ||
        origin.find('/', scheme_end + 3) != std::string::npos)
      return "\"" + origin + "\" is not an origin: write scheme://host[:port], e.g. https://ops.example.com";
  }
  return std::nullopt;
}

bool is_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

// How a token is stored: "sha256:" and 64 hex digits, as `prodmcp-server hash-token` prints it.
bool is_token_hash(std::string_view hash) {
  return hash.starts_with("sha256:") && hash.size() == 7 + 64 && is_hex(hash.substr(7));
}

std::optional<std::string> check_clients(Value const& value) {
  for (auto const& [client, hash] : std::get<StringMap>(value)) {
    if (client.empty() || client.size() > 64 || !std::all_of(client.begin(), client.end(), [](unsigned char c) {
          return std::isalnum(c) || c == '-' || c == '_' || c == '.';
        }))
      return "client id \"" + client + "\" must be 1-64 letters, digits, '-', '_' or '.'";
    if (!is_token_hash(hash))
      return "the token of client \"" + client +
             "\" must be stored hashed, as sha256:<64 hex digits> (`prodmcp-server hash-token` prints it)";
  }
  return std::nullopt;
}

std::vector<KeySpec> make_keys() {
  std::vector<KeySpec> keys;
  auto add = [&keys](KeySpec spec) { keys.push_back(std::move(spec)); };

  // [server]
  {
    auto listen = key<&Settings::server, &ServerSettings::listen>(
        "server.listen", "Address and port of the MCP endpoint (/mcp). Port 0 picks a free port.");
    listen.check = [](Value const& value) { return check_listen(value, false); };
    add(std::move(listen));
    auto admin = key<&Settings::server, &ServerSettings::admin_listen>(
        "server.admin_listen",
        "Address and port of the admin endpoint (/metrics, /health, /ready); empty turns it off. Keep it on "
        "loopback unless a scraper elsewhere needs it.");
    admin.check = [](Value const& value) { return check_listen(value, true); };
    add(std::move(admin));
    auto token = reloadable(key<&Settings::server, &ServerSettings::admin_token_hash>(
        "server.admin_token_hash",
        "SHA-256 of the admin token (sha256:<hex>, `prodmcp-server hash-token` prints it). /logs, /config and "
        "/faults need it as Authorization: Bearer <token>, except from loopback in the development profile; "
        "/metrics, /health and /ready stay open."));
    token.secret = true;
    token.check = [](Value const& value) -> std::optional<std::string> {
      auto const& hash = std::get<std::string>(value);
      if (hash.empty() || is_token_hash(hash)) return std::nullopt;
      return "the admin token must be stored hashed, as sha256:<64 hex digits> (`prodmcp-server hash-token` prints it)";
    };
    add(std::move(token));
  }
  add(range(key<&Settings::server, &ServerSettings::workers>(
                "server.workers", "Worker threads, one event loop each; 0 runs one per CPU core."),
            0, 256));
  add(range(key<&Settings::server, &ServerSettings::max_sessions>(
                "server.max_sessions", "Most MCP sessions held at once; the oldest idle one makes room."),
            1, 10'000'000));
  add(range(key<&Settings::server, &ServerSettings::session_idle_timeout_s>(
                "server.session_idle_timeout_s", "A session unused this many seconds ends."),
            10, 7 * 86400));
  {
    auto origins = key<&Settings::server, &ServerSettings::allowed_origins>(
        "server.allowed_origins",
        "Browser origins allowed to call /mcp besides localhost, e.g. [\"https://ops.example.com\"].");
    origins.check = check_origins;
    add(std::move(origins));
  }
  {
    auto separator = key<&Settings::server, &ServerSettings::upstream_separator>(
        "server.upstream_separator",
        "Between an upstream's name and its tool and prompt names when the gateway fronts several "
        "(notes__search); an upstream's own prefix key overrides it.");
    separator.check = [](Value const& value) -> std::optional<std::string> {
      if (std::get<std::string>(value).empty() || std::get<std::string>(value).size() > 8)
        return "must be 1 to 8 characters";
      return check_name_part(value);
    };
    add(std::move(separator));
  }
  {
    auto proxies = key<&Settings::server, &ServerSettings::trusted_proxies>(
        "server.trusted_proxies",
        "Addresses of the reverse proxies (load balancers) in front of the server, e.g. [\"10.0.0.2\"]: from "
        "them, X-Forwarded-For names the client whose rate limit a request without auth counts against; from "
        "anyone else it is ignored.");
    proxies.check = [](Value const& value) -> std::optional<std::string> {
      for (auto const& address : std::get<StringList>(value))
        if (!is_ip_address(address)) return "\"" + address + "\" is not an IP address (write 10.0.0.2 or ::1)";
      return std::nullopt;
    };
    add(std::move(proxies));
  }
  add(key<&Settings::server, &ServerSettings::conformance_fixtures>(
      "server.conformance_fixtures",
      "Also serve the tools, resources and prompts the official MCP conformance suite calls (testing only)."));
  add(reloadable(range(key<&Settings::server, &ServerSettings::shutdown_grace_s>(
                           "server.shutdown_grace_s",
                           "On SIGTERM, how long in-flight requests may take to finish before the server exits."),
                       0, 3600)));
  add(reloadable(range(key<&Settings::server, &ServerSettings::drain_delay_ms>(
                           "server.drain_delay_ms",
                           "On SIGTERM, keep accepting requests this long while /ready answers 503, so load "
                           "balancers take this replica out before it stops listening (a rolling restart loses "
                           "nothing)."),
                       0, 600'000)));

  // [limits]
  add(env(range(key<&Settings::limits, &LimitSettings::max_request_size>(
                    "limits.max_request_size", "Largest request body in bytes; larger ones get 413."),
                1024, 1 << 30),
          "MAX_REQUEST_SIZE"));
  add(range(key<&Settings::limits, &LimitSettings::max_header_size>(
                "limits.max_header_size", "Largest request line plus headers in bytes; larger ones get 431."),
            1024, 1 << 20));
  add(range(key<&Settings::limits, &LimitSettings::max_json_depth>(
                "limits.max_json_depth", "Deepest nesting of arrays and objects accepted in a JSON-RPC message."),
            8, 1024));
  add(range(key<&Settings::limits, &LimitSettings::max_connections>(
                "limits.max_connections", "Most open client connections; beyond it new ones get 503."),
            1, 1'000'000));
  add(range(key<&Settings::limits, &LimitSettings::max_connections_per_address>(
                "limits.max_connections_per_address",
                "Most open connections from one remote address; beyond it new ones get 503 (0: no such limit). "
                "The addresses in server.trusted_proxies are not limited."),
            0, 1'000'000));
  add(reloadable(range(key<&Settings::limits, &LimitSettings::max_in_flight_per_session>(
                           "limits.max_in_flight_per_session",
                           "Most requests one MCP session may have served at once; the next gets JSON-RPC error "
                           "-32014 until one ends."),
                       1, 100'000)));
  add(range(key<&Settings::limits, &LimitSettings::header_timeout_ms>(
                "limits.header_timeout_ms", "A request's line and headers must arrive within this time."),
            100, 600'000));
  add(range(key<&Settings::limits, &LimitSettings::body_timeout_ms>(
                "limits.body_timeout_ms", "A request's body must arrive within this time."),
            100, 600'000));
  add(range(key<&Settings::limits, &LimitSettings::idle_timeout_ms>(
                "limits.idle_timeout_ms", "A keep-alive connection with no request closes after this time."),
            100, 3'600'000));
  add(range(key<&Settings::limits, &LimitSettings::write_timeout_ms>(
                "limits.write_timeout_ms", "A response that the client does not read within this time is dropped."),
            100, 600'000));

  // [logging]
  add(reloadable(choices(key<&Settings::logging, &LoggingSettings::level>(
                             "logging.level", "Least severe level written."),
                         {"trace", "debug", "info", "warning", "error", "critical", "off"})));
  add(choices(key<&Settings::logging, &LoggingSettings::format>(
                  "logging.format", "json: one JSON object per line (for machines); text: for people."),
              {"json", "text"}));
  add(choices(key<&Settings::logging, &LoggingSettings::stream>(
                  "logging.stream", "Where log lines go besides the file; stdio mode always uses stderr."),
              {"stderr", "stdout", "none"}));
  add(key<&Settings::logging, &LoggingSettings::file>(
      "logging.file", "Also write logs to this file, rotated by size; empty: no file."));
  add(range(key<&Settings::logging, &LoggingSettings::file_max_bytes>(
                "logging.file_max_bytes", "Size at which the log file rotates."),
            4096, 1LL << 40));
  add(range(key<&Settings::logging, &LoggingSettings::file_max_files>(
                "logging.file_max_files", "Rotated log files kept."),
            1, 1000));
  add(range(key<&Settings::logging, &LoggingSettings::queue_size>(
                "logging.queue_size",
                "Log lines waiting to be written; when full, new lines are dropped (counted), never blocking a "
                "request."),
            16, 1 << 22));

  // [health]
  add(key<&Settings::health, &HealthSettings::disk_path>(
      "health.disk_path", "The disk_space readiness check watches the file system holding this path."));
  add(reloadable(range(key<&Settings::health, &HealthSettings::disk_min_free_mb>(
                           "health.disk_min_free_mb", "Below this much free space (MiB) the server is not ready."),
                       0, 1 << 30)));
  add(reloadable(range(key<&Settings::health, &HealthSettings::check_timeout_ms>(
                           "health.check_timeout_ms", "A readiness check taking longer counts as unhealthy."),
                       10, 60'000)));
  add(reloadable(range(key<&Settings::health, &HealthSettings::check_interval_s>(
                           "health.check_interval_s",
                           "The server runs its readiness checks this often by itself, for the "
                           "mcp_health_check_* metrics and alerts, and logs every change of a check's status."),
                       1, 3600)));
  add(reloadable(range(key<&Settings::health, &HealthSettings::check_cache_ms>(
                           "health.check_cache_ms",
                           "A healthy readiness check's result answers /ready probes for this long before the check "
                           "runs again, so a flood of probes costs one Redis round trip per interval (0: every "
                           "probe); a failing check runs on every probe."),
                       0, 60'000)));

  // [auth]
  add(reloadable(key<&Settings::auth, &AuthSettings::enabled>(
      "auth.enabled", "Require a bearer token (Authorization: Bearer <token>) on /mcp.")));
  {
    auto clients = reloadable(key<&Settings::auth, &AuthSettings::clients>(
        "auth.clients",
        "Clients and the SHA-256 of their bearer tokens: { ops-console = \"sha256:...\" }. The client id feeds "
        "logs, metrics and rate limits. `prodmcp-server hash-token` hashes a token."));
    clients.secret = true;
    clients.check = check_clients;
    add(std::move(clients));
  }

  // [cache]
  {
    auto url = env(key<&Settings::cache, &CacheSettings::redis_url>(
                       "cache.redis_url",
                       "Redis for the tool-result cache, shared rate limits and sessions: "
                       "redis://[user:password@]host[:port][/db]. Empty: the embedded in-memory cache only."),
                   "REDIS_URL");
    url.secret = true;  // only the password part is hidden
    url.check = [](Value const& value) -> std::optional<std::string> {
      auto const& text = std::get<std::string>(value);
      if (text.empty()) return std::nullopt;
      if (!text.starts_with("redis://")) return "\"" + text + "\" is not a redis:// URL";
      return std::nullopt;
    };
    add(std::move(url));
  }
  add(reloadable(env(range(key<&Settings::cache, &CacheSettings::ttl_s>(
                               "cache.ttl_s", "How long a cacheable tool's result is kept, in seconds."),
                           1, 30 * 86400),
                     "CACHE_TTL")));
  add(reloadable(range(key<&Settings::cache, &CacheSettings::tool_ttl_s>(
                           "cache.tool_ttl_s",
                           "Per-tool result lifetimes in seconds, e.g. { http_status_lookup = 3600 }; also caches "
                           "tools not marked cacheable; 0 turns caching off for that tool."),
                       0, 30 * 86400)));
  add(range(key<&Settings::cache, &CacheSettings::memory_max_bytes>(
                "cache.memory_max_bytes",
                "Size of the in-memory cache, used without Redis and while Redis is down."),
            0, 1LL << 40));
  add(reloadable(key<&Settings::cache, &CacheSettings::redis_required>(
      "cache.redis_required", "Readiness fails (503) while Redis is down, instead of reporting degraded.")));
  add(key<&Settings::cache, &CacheSettings::share_sessions>(
      "cache.share_sessions",
      "Keep MCP sessions in Redis (when cache.redis_url is set), so any replica behind a load balancer can "
      "serve any session; false keeps each session on the replica that created it."));
  add(reloadable(range(key<&Settings::cache, &CacheSettings::session_recheck_ms>(
                           "cache.session_recheck_ms",
                           "A replica that checked its copy of a shared session against Redis this recently serves "
                           "it without asking again: an end, log level or subscription changed on another replica "
                           "shows here that much later at most. 0 asks Redis on every request."),
                       0, 60'000)));
  add(range(key<&Settings::cache, &CacheSettings::connect_timeout_ms>(
                "cache.connect_timeout_ms", "A connection to Redis must be up within this time."),
            10, 60'000));
  add(range(key<&Settings::cache, &CacheSettings::command_timeout_ms>(
                "cache.command_timeout_ms",
                "A Redis command must answer within this time; later counts as a failure (served from memory)."),
            1, 60'000));

  // [rate_limit]
  add(reloadable(key<&Settings::rate_limit, &RateLimitSettings::enabled>(
      "rate_limit.enabled", "Limit requests per client (token bucket); over the limit: 429 with Retry-After.")));
  add(reloadable(env(range(key<&Settings::rate_limit, &RateLimitSettings::requests_per_minute>(
                               "rate_limit.requests_per_minute", "Sustained requests per minute per client."),
                           1, 100'000'000),
                     "RATE_LIMIT")));
  add(reloadable(range(key<&Settings::rate_limit, &RateLimitSettings::burst>(
                           "rate_limit.burst",
                           "Requests a client may make at once before the rate applies; 0: one minute's worth."),
                       0, 100'000'000)));

  // [resilience]
  add(range(key<&Settings::resilience, &ResilienceSettings::breaker_failures>(
                "resilience.breaker_failures",
                "A circuit breaker opens after this many consecutive failures, or this many within the window."),
            1, 1000));
  add(range(key<&Settings::resilience, &ResilienceSettings::breaker_window_s>(
                "resilience.breaker_window_s", "The window, in seconds, in which failures are counted."),
            1, 86400));
  add(range(key<&Settings::resilience, &ResilienceSettings::breaker_open_s>(
                "resilience.breaker_open_s",
                "How long an open breaker fails fast before letting probe calls through (doubles per failed "
                "probe)."),
            1, 3600));
  add(range(key<&Settings::resilience, &ResilienceSettings::breaker_max_open_multiplier>(
                "resilience.breaker_max_open_multiplier", "The longest open time, as a multiple of breaker_open_s."),
            1, 1024));
  add(range(key<&Settings::resilience, &ResilienceSettings::breaker_close_after>(
                "resilience.breaker_close_after", "Successful probe calls that close a half-open breaker."),
            1, 100));

  // [faults]
  add(reloadable(key<&Settings::faults, &FaultSettings::enabled>(
      "faults.enabled", "Inject faults into tool calls, for demos and resilience tests. Refused in production.")));
  add(reloadable(range(key<&Settings::faults, &FaultSettings::latency_ms>(
                           "faults.latency_ms", "Extra delay added to every tool call while faults are enabled."),
                       0, 60'000)));
  add(reloadable(range(key<&Settings::faults, &FaultSettings::error_rate>(
                           "faults.error_rate", "Share of tool calls failed on purpose while faults are enabled."),
                       0, 1)));
  return keys;
}

std::vector<KeySpec> const& keys_table() {
  static std::vector<KeySpec> const keys = make_keys();
  return keys;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      auto const above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::optional<std::string> KeySpec::validate(Value const& value) const {
  auto const number = [&]() -> std::optional<double> {
    if (auto const* integer = std::get_if<std::int64_t>(&value)) return static_cast<double>(*integer);
    if (auto const* real = std::get_if<double>(&value)) return *real;
    return std::nullopt;
  }();
  auto format = [](double bound) {
    auto text = std::to_string(bound);
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
    return text;
  };
  if (number && ((min && *number < *min) || (max && *number > *max)))
    return "must be between " + format(*min) + " and " + format(*max);
  if (auto const* map = std::get_if<IntegerMap>(&value))
    for (auto const& [name, item] : *map)
      if ((min && static_cast<double>(item) < *min) || (max && static_cast<double>(item) > *max))
        return "the value of " + name + " must be between " + format(*min) + " and " + format(*max);
  if (!choices.empty()) {
    auto const& text = std::get<std::string>(value);
    if (std::find(choices.begin(), choices.end(), text) == choices.end()) {
      std::string list;
      for (auto const& choice : choices) list += (list.empty() ? "" : ", ") + choice;
      return "\"" + text + "\" is not one of " + list;
    }
  }
  if (check) return check(value);
  return std::nullopt;
}

std::span<KeySpec const> all_keys() { return keys_table(); }

KeySpec const* find_key(std::string_view name) {
  for (auto const& spec : keys_table())
    if (spec.name == name) return &spec;
  return find_upstream_key(name);
}

std::vector<std::string> suggest_keys(std::string_view name) {
  auto const dot = name.find('.');
  auto const leaf = dot == std::string_view::npos ? name : name.substr(dot + 1);
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (auto const& spec : keys_table()) {
    auto const spec_leaf = std::string_view(spec.name).substr(spec.name.find('.') + 1);
    auto distance = edit_distance(name, spec.name);
    if (spec_leaf == leaf) distance = std::min<std::size_t>(distance, 1);  // right key, wrong section
    if (distance <= std::max<std::size_t>(2, name.size() / 4)) scored.emplace_back(distance, spec.name);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> names;
  for (auto& [distance, spec_name] : scored)
    if (names.size() < 3) names.push_back(std::move(spec_name));
  return names;
}

std::vector<std::string> closest_names(std::string_view name, std::vector<std::string> const& candidates) {
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (auto const& candidate : candidates)
    if (auto const distance = edit_distance(name, candidate); distance <= std::max<std::size_t>(2, name.size() / 4))
      scored.emplace_back(distance, candidate);
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> names;
  for (auto& [distance, candidate] : scored)
    if (names.size() < 3) names.push_back(std::move(candidate));
  return names;
}

std::vector<std::string> sections() {
  std::vector<std::string> names;
  for (auto const& spec : keys_table()) {
    std::string section(spec.section());
    if (std::find(names.begin(), names.end(), section) == names.end()) names.push_back(std::move(section));
  }
  return names;
}

std::string_view profile_name(Profile profile) {
  switch (profile) {
    case Profile::kDevelopment: return "development";
    case Profile::kStaging: return "staging";
    case Profile::kProduction: return "production";
  }
  return "development";
}

std::optional<Profile> parse_profile(std::string_view name) {
  for (auto const profile : {Profile::kDevelopment, Profile::kStaging, Profile::kProduction})
    if (profile_name(profile) == name) return profile;
  return std::nullopt;
}

std::vector<std::pair<std::string, Value>> const& profile_overrides(Profile profile) {
  static std::vector<std::pair<std::string, Value>> const development{{"logging.level", std::string("debug")}};
  static std::vector<std::pair<std::string, Value>> const staging{};
  static std::vector<std::pair<std::string, Value>> const production{{"auth.enabled", true}};
  switch (profile) {
    case Profile::kDevelopment: return development;
    case Profile::kStaging: return staging;
    case Profile::kProduction: return production;
  }
  return development;
}

}  // namespace prodmcp::config
