#pragma once
// The transport-independent MCP engine: given one JSON-RPC message and the context it came in,
// it produces the reply. It knows the revisions' rules; transports know only framing.
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "protocol/catalog.hpp"
#include "protocol/jsonrpc.hpp"
#include "protocol/request_context.hpp"
#include "protocol/request_state.hpp"
#include "protocol/result_cache.hpp"
#include "protocol/session.hpp"

namespace prodmcp::protocol {

struct ServerIdentity {
  std::string name = "prodmcp-server";
  std::string title = "ProdMCP Server";
  std::string version;
  std::string description = "Production MCP server with metrics, probes, caching and a gateway";
  std::string website_url;
  std::string instructions;
};

struct EngineOptions {
  ServerIdentity identity;
  std::size_t page_size = 100;
  std::chrono::milliseconds list_ttl{60'000};  // cache hints for lists and discovery (2026-07-28)
  std::chrono::milliseconds read_ttl{0};
  std::string request_state_secret;
};

// Counters the server_status tool and the metrics read.
struct EngineCounters {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> notifications{0};
  std::atomic<std::int64_t> active_connections{0};
};

// Faults injected into tool calls, for demos and resilience tests (config [faults]).
struct FaultInjection {
  bool enabled = false;
  std::chrono::milliseconds latency{0};
  double error_rate = 0;
};

// One JSON-RPC request served, as logs and metrics see it.
struct RequestOutcome {
  std::string_view method;
  std::string_view tool;  // tools/call only
  std::string_view client_id;
  std::string_view correlation_id;
  std::string_view session_id;  // empty on the stateless revision
  std::string_view endpoint;    // "/mcp" or "stdio"
  std::string_view upstream;    // the gateway's upstream that served it, if any
  Revision revision;
  int error_code = 0;       // 0: a result
  bool tool_error = false;  // a tools/call result with isError
  bool cancelled = false;   // the client cancelled it; no response was sent
  std::chrono::steady_clock::duration elapsed{};
};

class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  // Called on the serving thread after each request: keep it cheap.
  virtual void on_request(RequestOutcome const& outcome) = 0;
};

// A subscriptions/listen stream (2026-07-28) or a session's GET stream wants these notifications.
class NotificationListener {
 public:
  virtual ~NotificationListener() = default;
  virtual void deliver(CatalogChange change) = 0;
  virtual void deliver_resource_updated(std::string const& uri) = 0;
  // The server is shutting down: a stream that would run until its client leaves ends now.
  virtual void finish() {}
};

class Engine {
 public:
  Engine(EngineOptions options, Catalog& catalog, SessionRegistry& sessions);
  ~Engine();

  // True when the message carries 2026-07-28 per-request metadata (it is served statelessly).
  static bool has_stateless_meta(json::object const& message);

  // Session revisions: serves initialize, creating the session on success.
  struct Initialized {
    json::object response;
    std::shared_ptr<Session> session;  // null when initialize failed
  };
  // `origin` carries who asked (client id, correlation id, endpoint) for logs and metrics.
  Initialized initialize(json::object const& request, RequestContext const& origin = {});

  // Fills a context from a session (session revisions) or from the request's _meta (stateless).
  void bind_session(RequestContext& context, std::shared_ptr<Session> session) const;
  std::optional<RpcError> bind_stateless(RequestContext& context) const;

  // Whether serving this request may send messages before its response (progress, logs, client
  // requests): transports give those an SSE stream and answer the rest with plain JSON.
  bool may_stream(RequestContext const& context) const;
  // Whether a request answered with plain JSON should still be cancellable (a proxied tool: its
  // upstream is told to cancel); others finish too fast to be worth the bookkeeping.
  bool cancellable(RequestContext const& context) const;

  // Serves one request; returns its response, or nothing when the client cancelled it.
  asio::awaitable<std::optional<json::object>> handle(RequestContext& context);

  // What both transports hand over once a message is parsed and classified.
  // A request message's context: `origin` says who asked (executor, client, correlation id,
  // endpoint); the message's params move into the context.
  // `origin` says who asks; a batch passes a copy per message.
  static RequestContext request_context(json::object& message, RequestContext origin);
  // A client's notification, or its answer to a server-to-client request; `session` is null on
  // the stateless revision. An answer no request of this process waits for goes through the
  // session store to the replica that asked.
  asio::awaitable<void> receive(std::shared_ptr<Session> const& session, json::object const& message,
                                MessageKind kind);
  // A JSON-RPC batch: the responses in order (empty when it held only notifications and
  // answers), or why the batch is refused as a whole (outside a 2025-03-26 session, empty, or
  // more than kMaxBatchMessages). Its requests do not stream.
  static constexpr std::size_t kMaxBatchMessages = 100;
  struct BatchOutcome {
    json::array responses;
    std::optional<RpcError> refused;
  };
  asio::awaitable<BatchOutcome> handle_batch(json::array& batch, std::shared_ptr<Session> const& session,
                                             RequestContext const& origin);

  // A server-to-client request outside any call (the gateway's child of a client session asking
  // roots/list on its own): sent on the session's standalone stream (GET /mcp), answered like one
  // inside a call. Throws RpcError when the session is gone, has no such stream, or lacks
  // `capability`, and for the client's refusal or no answer in time.
  asio::awaitable<json::object> ask_session(std::string const& session_id, std::string method, json::object params,
                                            std::string capability);

  // Notifications and responses from the client. `session` is null on the stateless revision.
  void handle_notification(Session* session, json::object const& message);
  // False when no request of this process waits for that answer.
  bool handle_response(Session& session, json::object const& message);

  void add_listener(std::weak_ptr<NotificationListener> listener);
  // At shutdown: every subscriptions/listen stream ends with its result, so the drain waits for
  // nothing that never ends; one that starts later ends at once.
  void end_listen_streams();
  // Set before serving; told about every request.
  void observe(RequestObserver& observer) { observer_ = &observer; }
  void set_faults(FaultInjection faults) {
    faults_enabled_.store(faults.enabled, std::memory_order_relaxed);
    faults_.store(std::make_shared<FaultInjection const>(faults));
  }
  // Set the cache before serving; the policy may change at any time (config reload).
  void set_result_cache(ResultCache& cache) { result_cache_ = &cache; }
  void set_cache_policy(CachePolicy policy) {
    cache_default_ttl_s_.store(policy.default_ttl.count(), std::memory_order_relaxed);
    cache_overrides_.store(!policy.per_tool.empty(), std::memory_order_relaxed);
    cache_policy_.store(std::make_shared<CachePolicy const>(std::move(policy)));
  }
  // Most requests one session may have served at once (limits.max_in_flight_per_session); the
  // next gets -32014 until one ends. May change at any time (config reload).
  void set_max_in_flight_per_session(std::size_t most) { max_in_flight_per_session_ = most; }

  Catalog& catalog() { return catalog_; }
  SessionRegistry& sessions() { return sessions_; }
  RequestStateCodec const& request_state() const { return request_state_; }
  EngineCounters& counters() { return counters_; }
  EngineOptions const& options() const { return options_; }
  std::chrono::steady_clock::time_point started() const { return started_; }

  // Result decoration for the stateless revision: resultType and serverInfo.
  json::object server_info(Revision revision) const;
  json::object capabilities() const;

 private:
  using Method = asio::awaitable<json::object> (Engine::*)(RequestContext&);
  struct MethodInfo {
    Method method;
    bool session_only;    // removed in 2026-07-28
    bool stateless_only;  // new in 2026-07-28
    bool cacheable;       // carries ttlMs/cacheScope in 2026-07-28
  };
  MethodInfo const* find_method(std::string_view name) const;
  // The tool a tools/call names, or null.
  std::shared_ptr<Tool const> called_tool(RequestContext const& context) const;
  Initialized create_session(json::object const& request, std::string client_id);
  asio::awaitable<std::optional<json::object>> dispatch(RequestContext& context);
  void report(RequestContext const& context, std::optional<json::object>& response,
              std::chrono::steady_clock::time_point started);
  asio::awaitable<std::optional<json::object>> inject_fault(RequestContext& context);
  std::chrono::seconds cache_ttl(Tool const& tool, std::string_view name) const;
  asio::awaitable<json::object> run_tool(RequestContext& context, Tool const& tool, json::object const& arguments);
  asio::awaitable<void> take(Session* session, json::object const& message, MessageKind kind);
  // input_rounds.cpp: asks a session client for what a handler's input_required result names
  // and runs `method` again with the answers, until it completes.
  asio::awaitable<json::object> answer_input_requests(RequestContext& context, Method method, json::object result);
  void broadcast(CatalogChange change);
  void broadcast_updated(std::string const& uri);

  // lifecycle_methods.cpp
  asio::awaitable<json::object> ping(RequestContext&);
  asio::awaitable<json::object> discover(RequestContext&);
  asio::awaitable<json::object> set_log_level(RequestContext&);
  asio::awaitable<json::object> listen(RequestContext&);
  // tool_methods.cpp
  asio::awaitable<json::object> list_tools(RequestContext&);
  asio::awaitable<json::object> call_tool(RequestContext&);
  // resource_methods.cpp
  asio::awaitable<json::object> list_resources(RequestContext&);
  asio::awaitable<json::object> list_templates(RequestContext&);
  asio::awaitable<json::object> read_resource(RequestContext&);
  asio::awaitable<json::object> subscribe(RequestContext&);
  asio::awaitable<json::object> unsubscribe(RequestContext&);
  // prompt_methods.cpp
  asio::awaitable<json::object> list_prompts(RequestContext&);
  asio::awaitable<json::object> get_prompt(RequestContext&);
  asio::awaitable<json::object> complete(RequestContext&);

  EngineOptions options_;
  Catalog& catalog_;
  SessionRegistry& sessions_;
  RequestStateCodec request_state_;
  EngineCounters counters_;
  std::chrono::steady_clock::time_point const started_ = std::chrono::steady_clock::now();
  std::mutex listeners_mutex_;
  std::vector<std::weak_ptr<NotificationListener>> listeners_;
  bool listens_ended_ = false;  // under listeners_mutex_
  RequestObserver* observer_ = nullptr;
  // Loading an atomic shared_ptr writes to memory every thread shares (a lock bit and a count): a
  // request reads these plain atomics first and loads the shared_ptr only when faults or per-tool
  // cache settings are on, so threads serving requests do not contend.
  std::atomic<bool> faults_enabled_{false};
  std::atomic<std::shared_ptr<FaultInjection const>> faults_{std::make_shared<FaultInjection const>()};
  ResultCache* result_cache_ = nullptr;
  std::atomic<std::int64_t> cache_default_ttl_s_{CachePolicy{}.default_ttl.count()};
  std::atomic<bool> cache_overrides_{false};
  std::atomic<std::shared_ptr<CachePolicy const>> cache_policy_{std::make_shared<CachePolicy const>()};
  std::atomic<std::size_t> max_in_flight_per_session_{256};
};

// Reading params.
std::optional<std::string_view> string_param(json::object const& params, std::string_view key);
// The object at `key`, or an empty object when absent; RpcError(-32602) when it is not an object.
json::object const& object_param(json::object const& params, std::string_view key);

// Multi round-trip requests (2026-07-28): the result that asks the client for input, and the
// client's answers on the retry.
json::object input_required_result(json::object input_requests, std::string request_state = {});
json::object const* input_response(RequestContext const& context, std::string_view key);
// The methods whose result may be input_required: tools/call, prompts/get, resources/read.
bool may_ask_for_input(std::string_view method);
// Where a request this server sends to a session client for an input_required result carries
// the input's key (in params._meta), so a gateway that turns it back into a round for a
// 2026-07-28 client keeps the handler's own key.
inline constexpr std::string_view kInputKeyMeta = "dev.prodmcp/inputKey";

// Content helpers for tool results.
json::object text_content(std::string_view text);
json::object text_result(std::string_view text);
json::object error_result(std::string_view text);

}  // namespace prodmcp::protocol
