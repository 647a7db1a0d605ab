#pragma once
// The server's effective configuration as plain typed values. The member initializers are the
// defaults; key_registry.cpp names, documents and validates every member.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace prodmcp::config {

struct ServerSettings {
  std::string listen = "127.0.0.1:8080";
  std::string admin_listen = "127.0.0.1:9090";
  std::string admin_token_hash;  // "sha256:<hex>" of the token /logs, /config and /faults need
  std::int64_t workers = 0;  // 0: one per CPU core
  std::int64_t max_sessions = 100'000;
  std::int64_t session_idle_timeout_s = 1800;
  std::vector<std::string> allowed_origins;
  std::vector<std::string> trusted_proxies;  // their X-Forwarded-For names the client
  bool conformance_fixtures = false;
  std::int64_t shutdown_grace_s = 30;
  std::int64_t drain_delay_ms = 0;
  std::string upstream_separator = "__";  // NAME__tool when the gateway fronts several upstreams
};

struct LimitSettings {
  std::int64_t max_request_size = 1 << 20;
  std::int64_t max_header_size = 16 * 1024;
  std::int64_t max_json_depth = 64;
  std::int64_t max_connections = 10'000;
  std::int64_t max_in_flight_per_session = 256;
  std::int64_t max_connections_per_address = 1000;
  std::int64_t header_timeout_ms = 10'000;
  std::int64_t body_timeout_ms = 30'000;
  std::int64_t idle_timeout_ms = 60'000;
  std::int64_t write_timeout_ms = 30'000;
};

struct LoggingSettings {
  std::string level = "info";
  std::string format = "json";
  std::string stream = "stderr";
  std::string file;
  std::int64_t file_max_bytes = 10 << 20;
  std::int64_t file_max_files = 5;
  std::int64_t queue_size = 8192;
};

struct HealthSettings {
  std::string disk_path = ".";
  std::int64_t disk_min_free_mb = 100;
  std::int64_t check_timeout_ms = 2000;
  std::int64_t check_interval_s = 10;
  std::int64_t check_cache_ms = 1000;
};

struct AuthSettings {
  bool enabled = false;
  std::map<std::string, std::string> clients;  // client id -> "sha256:<hex>" of its bearer token
};

struct CacheSettings {
  std::string redis_url = "redis://localhost:6379";
  std::int64_t ttl_s = 300;
  std::map<std::string, std::int64_t> tool_ttl_s;
  std::int64_t memory_max_bytes = 64 << 20;
  bool redis_required = false;
  bool share_sessions = true;
  std::int64_t session_recheck_ms = 1000;
  std::int64_t connect_timeout_ms = 500;
  std::int64_t command_timeout_ms = 250;
};

struct RateLimitSettings {
  bool enabled = true;
  std::int64_t requests_per_minute = 100;
  std::int64_t burst = 0;  // 0: requests_per_minute
};

struct ResilienceSettings {
  std::int64_t breaker_failures = 5;       // consecutive, or within the window, to open
  std::int64_t breaker_window_s = 300;
  std::int64_t breaker_open_s = 60;        // before the first half-open probe
  std::int64_t breaker_max_open_multiplier = 32;
  std::int64_t breaker_close_after = 3;    // half-open successes
};

struct FaultSettings {
  bool enabled = false;
  std::int64_t latency_ms = 0;
  double error_rate = 0;
};

// One MCP server the gateway fronts ([upstreams.NAME]); upstream_keys.cpp documents each member.
struct UpstreamSettings {
  std::string command;  // a stdio server the gateway starts and supervises...
  std::vector<std::string> args;
  std::map<std::string, std::string> env;  // added to the gateway's environment; ${VAR} expands
  std::string cwd;
  std::string url;  // ...or a remote Streamable HTTP server
  std::map<std::string, std::string> headers;
  std::int64_t timeout_ms = 60'000;
  std::int64_t max_in_flight = 64;
  std::string restart = "on-failure";  // never, on-failure, always
  std::int64_t restart_backoff_ms = 500;
  std::int64_t restart_max_backoff_ms = 30'000;
  std::int64_t crash_loop_limit = 5;   // failed starts in a row before supervision gives up
  std::string sessions = "per-client";  // or shared: one upstream session for every client
  std::int64_t max_children = 100;       // per-client: client sessions with a child of their own
  bool required = true;                // /ready fails (not degrades) while it is down
  std::string prefix;                  // tool name prefix; default NAME__ when several upstreams
  std::vector<std::string> tools_allow;
  std::vector<std::string> tools_deny;
  std::map<std::string, std::int64_t> cache_ttl_s;  // by the upstream's tool name; unlisted: not cached

  bool operator==(UpstreamSettings const&) const = default;
};

struct Settings {
  ServerSettings server;
  LimitSettings limits;
  LoggingSettings logging;
  HealthSettings health;
  AuthSettings auth;
  CacheSettings cache;
  RateLimitSettings rate_limit;
  ResilienceSettings resilience;
  FaultSettings faults;
  std::map<std::string, UpstreamSettings> upstreams;  // by name, [a-z0-9-]+
};

enum class Profile { kDevelopment, kStaging, kProduction };

}  // namespace prodmcp::config
