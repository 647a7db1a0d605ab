#pragma once
// One upstream MCP server as the gateway's /upstreams describes it, and the state a person reads
// from it (a crash loop and an open breaker are states of their own, not details).
#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace prodmcp::console {

enum class UpstreamState { kStarting, kReady, kRestarting, kCrashLoop, kBreakerOpen, kDown };
QString upstream_state_name(UpstreamState state);  // "starting", "ready", ..., "crash loop", "breaker open"

struct UpstreamExit {
  QString description;  // "exit code 3", "signal 9 (Killed)", "HTTP 404 for session 1a2b3c4d"
  bool failed = false;
  QStringList stderr_tail;  // its last stderr lines, oldest first
  qint64 at_ms = 0;         // since the epoch
};

struct UpstreamStatus {
  QString name;
  QString state;   // as the gateway says: starting, ready, restarting, stopped, failed
  QString detail;  // why it is not ready, or what it serves as
  QString transport;  // stdio or http
  QString target;     // the command or the URL
  QString sessions;   // per-client or shared
  bool required = true;
  qint64 pid = 0;             // stdio: the supervised child's; 0 when none runs
  QString remote_session;     // http: the start of the supervised session's id
  int client_children = 0;    // children (or remote sessions) of client sessions, alive
  qint64 restarts = 0;
  qint64 in_flight = 0;
  QString breaker;  // closed, open, half_open
  QString server_name, server_version, protocol_version;
  QStringList tools;  // the names clients call them by here
  QString prefix;     // what the gateway puts before the upstream's own tool names
  int tool_count = 0, prompt_count = 0, resource_count = 0;
  bool has_exit = false;
  UpstreamExit last_exit;

  UpstreamState display_state() const;
  // "exit code 3 · the database is gone" (the last stderr line), or empty before any exit.
  QString last_exit_summary() const;
};

// The name the gateway gives an upstream's tool (config::exposed_name, the gateway's own rule):
// the prefix, then the tool's name with any byte but letters, digits, '_', '.' and '-' as '_';
// empty past 128 characters, where the gateway does not offer the tool.
QString exposed_tool_name(QString const& prefix, QString const& tool);

// The `upstreams` of a /upstreams answer; nullopt-like: an empty list and `error` set when the
// body is not one.
QList<UpstreamStatus> parse_upstreams(QByteArray const& body, QString& error);

}  // namespace prodmcp::console
