#include "config/upstream_keys.hpp"

#include <algorithm>
#include <cctype>
#include <deque>
#include <mutex>
#include <type_traits>

namespace prodmcp::config {

namespace {

// One leaf: its spec (named by the leaf) and the member it binds.
struct Leaf {
  KeySpec spec;
  std::function<Value(UpstreamSettings const&)> get;
  std::function<void(UpstreamSettings&, Value const&)> set;
};

template <auto Member>
Leaf leaf(std::string name, std::string doc) {
  using Type = std::remove_cvref_t<decltype(std::declval<UpstreamSettings&>().*Member)>;
  Leaf result;
  result.spec.name = std::move(name);
  if constexpr (std::is_same_v<Type, bool>) result.spec.type = ValueType::kBoolean;
  if constexpr (std::is_same_v<Type, std::int64_t>) result.spec.type = ValueType::kInteger;
  if constexpr (std::is_same_v<Type, std::string>) result.spec.type = ValueType::kString;
  if constexpr (std::is_same_v<Type, StringList>) result.spec.type = ValueType::kStringList;
  if constexpr (std::is_same_v<Type, StringMap>) result.spec.type = ValueType::kStringMap;
  if constexpr (std::is_same_v<Type, IntegerMap>) result.spec.type = ValueType::kIntegerMap;
  result.spec.doc = std::move(doc);
  result.get = [](UpstreamSettings const& upstream) { return Value(upstream.*Member); };
  result.set = [](UpstreamSettings& upstream, Value const& value) { upstream.*Member = std::get<Type>(value); };
  return result;
}

Leaf ranged(Leaf result, double min, double max) {
  result.spec.min = min;
  result.spec.max = max;
  return result;
}

Leaf one_of(Leaf result, std::vector<std::string> choices) {
  result.spec.choices = std::move(choices);
  return result;
}

std::vector<Leaf> const& leaves() {
  static std::vector<Leaf> const table = [] {
    std::vector<Leaf> t;
    t.push_back(leaf<&UpstreamSettings::command>(
        "command", "A stdio MCP server to start and supervise: the program (found on PATH), e.g. \"python3\"."));
    t.push_back(leaf<&UpstreamSettings::args>("args", "Its arguments, e.g. [\"notes_server.py\"]."));
    t.push_back(leaf<&UpstreamSettings::env>(
        "env", "Variables added to its environment; ${VAR} in a value expands from the gateway's environment "
               "and PRODMCP_CLIENT_SESSION (a name of the client session, or \"shared\")."));
    t.push_back(leaf<&UpstreamSettings::cwd>("cwd", "Its working directory (default: the gateway's)."));
    t.push_back(leaf<&UpstreamSettings::url>("url", "A remote Streamable HTTP MCP server instead of a command: its endpoint, "
                                                   "e.g. \"https://search.internal/mcp\" (https checks the certificate "
                                                   "against the system's CAs; SSL_CERT_FILE names others)."));
    Leaf headers = leaf<&UpstreamSettings::headers>(
        "headers", "Headers sent to the url; ${VAR} expands from the environment. Never logged.");
    headers.spec.secret = true;
    t.push_back(std::move(headers));
    t.push_back(ranged(leaf<&UpstreamSettings::timeout_ms>(
                           "timeout_ms", "How long one call may take before it fails and is cancelled upstream."),
                       100, 3'600'000));
    t.push_back(ranged(leaf<&UpstreamSettings::max_in_flight>(
                           "max_in_flight", "Calls in flight at once (a bulkhead); more are refused at once."),
                       1, 100'000));
    t.push_back(one_of(leaf<&UpstreamSettings::restart>(
                           "restart", "When a stdio server that exited is started again (or a url server "
                                      "that forgot the session is initialized again): never, on-failure (a "
                                      "non-zero exit, a signal, a forgotten session) or always."),
                       {"never", "on-failure", "always"}));
    t.push_back(ranged(leaf<&UpstreamSettings::restart_backoff_ms>(
                           "restart_backoff_ms", "Wait before the first restart; it doubles after each failed start."),
                       10, 600'000));
    t.push_back(ranged(leaf<&UpstreamSettings::restart_max_backoff_ms>(
                           "restart_max_backoff_ms", "The longest wait between restarts."),
                       10, 3'600'000));
    t.push_back(ranged(leaf<&UpstreamSettings::crash_loop_limit>(
                           "crash_loop_limit", "stdio: starts in a row that fail before ready; then supervision "
                                               "stops and says why (a restart of the gateway tries again). A url "
                                               "upstream that is down is tried at the longest backoff, never given up."),
                       1, 1000));
    t.push_back(one_of(leaf<&UpstreamSettings::sessions>(
                           "sessions", "per-client: each client session gets a child (url: a session) of its own, so no "
                                       "state leaks between clients (2026-07-28 clients, which have no session, "
                                       "share one); shared: one serves every client (for stateless servers)."),
                       {"per-client", "shared"}));
    t.push_back(ranged(leaf<&UpstreamSettings::max_children>(
                           "max_children", "per-client: most client sessions with a child (url: a session) of their own "
                                           "at once; a new one beyond it is refused until one ends or idles out."),
                       1, 10'000));
    t.push_back(leaf<&UpstreamSettings::required>(
        "required", "Whether /ready fails while it is down; false only degrades readiness."));
    Leaf prefix = leaf<&UpstreamSettings::prefix>(
        "prefix", "Prefix of its tool and prompt names; default: none with one upstream, NAME__ with several.");
    prefix.spec.check = check_name_part;
    t.push_back(std::move(prefix));
    t.push_back(leaf<&UpstreamSettings::tools_allow>(
        "tools_allow", "Only these of its tools are offered (its own names); empty offers all."));
    t.push_back(leaf<&UpstreamSettings::tools_deny>("tools_deny", "These of its tools are never offered."));
    t.push_back(ranged(leaf<&UpstreamSettings::cache_ttl_s>(
                           "cache_ttl_s", "Seconds a tool's result is cached, by its own name, e.g. { search = 60 }; "
                                          "a cached result serves every client with the same arguments. Tools "
                                          "not listed are never cached."),
                       1, 7 * 86400));
    return t;
  }();
  return table;
}

}  // namespace

bool valid_upstream_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::optional<std::string> check_name_part(Value const& value) {
  auto const& text = std::get<std::string>(value);
  if (std::all_of(text.begin(), text.end(),
                  [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-' || c == '.'; }))
    return std::nullopt;
  return "may hold only letters, digits, '_', '-' and '.' (tool names are kept within [A-Za-z0-9_.-])";
}

std::string exposed_name(std::string const& prefix, std::string_view name) {
  constexpr std::size_t kMaxNameLength = 128;
  std::string result = prefix;
  for (unsigned char c : name) result += std::isalnum(c) || c == '_' || c == '.' || c == '-' ? static_cast<char>(c) : '_';
  return result.size() > kMaxNameLength ? std::string() : result;
}

std::string exposed_prefix(Settings const& settings, std::string const& name) {
  if (auto const it = settings.upstreams.find(name); it != settings.upstreams.end() && !it->second.prefix.empty())
    return it->second.prefix;
  return settings.upstreams.size() == 1 ? std::string() : name + settings.server.upstream_separator;
}

KeySpec const* find_upstream_key(std::string_view name) {
  std::string_view rest = name;
  if (!rest.starts_with(kUpstreamsSection) || rest.size() <= kUpstreamsSection.size() ||
      rest[kUpstreamsSection.size()] != '.')
    return nullptr;
  rest.remove_prefix(kUpstreamsSection.size() + 1);
  auto const dot = rest.find('.');
  if (dot == std::string_view::npos) return nullptr;
  std::string const upstream(rest.substr(0, dot));
  auto const leaf_name = rest.substr(dot + 1);
  if (!valid_upstream_name(upstream)) return nullptr;
  auto const found = std::find_if(leaves().begin(), leaves().end(),
                                  [&](Leaf const& l) { return l.spec.name == leaf_name; });
  if (found == leaves().end()) return nullptr;

  // Specs live as long as the process: callers keep pointers, as to the static table's.
  static std::mutex mutex;
  static std::deque<KeySpec> made;
  std::lock_guard lock(mutex);
  for (auto const& spec : made)
    if (spec.name == name) return &spec;
  KeySpec spec = found->spec;
  spec.name = std::string(name);
  spec.env.clear();  // upstream keys come from the file or flags only
  spec.get = [upstream, get = found->get](Settings const& settings) {
    auto const it = settings.upstreams.find(upstream);
    return get(it == settings.upstreams.end() ? UpstreamSettings{} : it->second);
  };
  spec.set = [upstream, set = found->set](Settings& settings, Value const& value) {
    set(settings.upstreams[upstream], value);
  };
  return &made.emplace_back(std::move(spec));
}

std::vector<std::string> upstream_leaves() {
  std::vector<std::string> names;
  for (auto const& l : leaves()) names.push_back(l.spec.name);
  return names;
}

std::vector<std::string> upstream_key_names(Settings const& a, Settings const& b) {
  std::vector<std::string> upstreams;
  for (auto const* settings : {&a, &b})
    for (auto const& [name, upstream] : settings->upstreams)
      if (std::find(upstreams.begin(), upstreams.end(), name) == upstreams.end()) upstreams.push_back(name);
  std::vector<std::string> keys;
  for (auto const& upstream : upstreams)
    for (auto const& l : leaves()) keys.push_back(std::string(kUpstreamsSection) + "." + upstream + "." + l.spec.name);
  return keys;
}

}  // namespace prodmcp::config
