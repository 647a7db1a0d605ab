#include "protocol/engine.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <boost/system/system_error.hpp>
#include <random>
#include <unordered_map>

#include "protocol/event_stream.hpp"
#include "protocol/meta_keys.hpp"
#include "util/random.hpp"

namespace prodmcp::protocol {

namespace {

// The most a session keeps of what its client says of itself (capabilities and clientInfo, as JSON).
constexpr std::size_t kMaxClientDescriptionBytes = 16 * 1024;

std::string_view notification_method(CatalogChange change) {
  switch (change) {
    case CatalogChange::kTools: return "notifications/tools/list_changed";
    case CatalogChange::kResources: return "notifications/resources/list_changed";
    case CatalogChange::kPrompts: return "notifications/prompts/list_changed";
  }
  return {};
}
}  // namespace

std::optional<std::string_view> string_param(json::object const& params, std::string_view key) {
  auto const* value = params.if_contains(key);
  if (!value || !value->is_string()) return std::nullopt;
  return std::string_view(value->get_string());
}

json::object const& object_param(json::object const& params, std::string_view key) {
  static json::object const empty;
  auto const* value = params.if_contains(key);
  if (!value || value->is_null()) return empty;
  if (!value->is_object()) throw RpcError{error_code::kInvalidParams, "\"" + std::string(key) + "\" must be an object"};
  return value->get_object();
}

Engine::Engine(EngineOptions options, Catalog& catalog, SessionRegistry& sessions)
    : options_(std::move(options)),
      catalog_(catalog),
      sessions_(sessions),
      request_state_(options_.request_state_secret) {
  catalog_.on_change([this](CatalogChange change) { broadcast(change); });
  catalog_.on_resource_updated([this](std::string const& uri) { broadcast_updated(uri); });
}

Engine::~Engine() = default;

bool Engine::has_stateless_meta(json::object const& message) {
  auto const* params = message.if_contains("params");
  if (!params || !params->is_object()) return false;
  auto const* meta = params->get_object().if_contains("_meta");
  return meta && meta->is_object() && meta->get_object().contains(meta_key::kProtocolVersion);
}

json::object Engine::server_info(Revision revision) const {
  auto const& id = options_.identity;
  json::object info;
  info["name"] = id.name;
  info["version"] = id.version;
  if (has_titles(revision)) info["title"] = id.title;
  if (has_implementation_details(revision)) {
    if (!id.description.empty()) info["description"] = id.description;
    if (!id.website_url.empty()) info["websiteUrl"] = id.website_url;
  }
  return info;
}

json::object Engine::capabilities() const {
  return json::object{{"tools", json::object{{"listChanged", true}}},
                      {"resources", json::object{{"subscribe", true}, {"listChanged", true}}},
                      {"prompts", json::object{{"listChanged", true}}},
                      {"logging", json::object{}},
                      {"completions", json::object{}}};
}

Engine::Initialized Engine::initialize(json::object const& request, RequestContext const& origin) {
  auto const started = std::chrono::steady_clock::now();
  auto initialized = create_session(request, origin.client_id);
  RequestContext context;
  context.method = "initialize";
  context.client_id = origin.client_id;
  context.correlation_id = origin.correlation_id.empty() ? util::unique_id() : origin.correlation_id;
  context.endpoint = origin.endpoint;
  context.session = initialized.session;
  if (initialized.session) context.revision = initialized.session->revision();
  std::optional<json::object> response = std::move(initialized.response);
  report(context, response, started);
  initialized.response = std::move(*response);
  return initialized;
}

Engine::Initialized Engine::create_session(json::object const& request, std::string client_id) {
  json::value const id = request.at("id");
  json::object const* params = nullptr;
  if (auto const* p = request.if_contains("params"); p && p->is_object()) params = &p->get_object();
  if (!params) return {make_error(id, error_code::kInvalidParams, "initialize needs params with protocolVersion, "
                                                                  "capabilities and clientInfo"), nullptr};
  auto const requested = string_param(*params, "protocolVersion");
  if (!requested)
    return {make_error(id, error_code::kInvalidParams, "initialize params need \"protocolVersion\" (a string)"),
            nullptr};
  // Version negotiation: echo a supported session revision, otherwise offer our newest one.
  auto revision = parse_revision(*requested);
  if (!revision || is_stateless(*revision)) revision = kNewestSessionRevision;

  json::object client_capabilities, client_info;
  try {
    client_capabilities = object_param(*params, "capabilities");
    client_info = object_param(*params, "clientInfo");
  } catch (RpcError const& error) {
    return {make_error(id, error), nullptr};
  }
  // A session keeps these for its whole life, and every request of it reads them: a client must
  // not make the server hold a large payload for the idle timeout (an anonymous one least of all).
  if (auto const kept = json::serialize(client_capabilities).size() + json::serialize(client_info).size();
      kept > kMaxClientDescriptionBytes)
    return {make_error(id, error_code::kInvalidParams,
                       "initialize's capabilities and clientInfo take " + std::to_string(kept) +
                           " bytes; a session keeps at most " + std::to_string(kMaxClientDescriptionBytes) +
                           " (declare only the capabilities the client has)"),
            nullptr};
  auto session =
      sessions_.create(*revision, std::move(client_capabilities), std::move(client_info), std::move(client_id));
  if (!session)
    return {make_error(id, error_code::kInternalError, "the server holds its maximum number of sessions; "
                                                       "retry later or end unused sessions with DELETE"),
            nullptr};
  json::object result;
  result["protocolVersion"] = to_string(*revision);
  result["capabilities"] = capabilities();
  result["serverInfo"] = server_info(*revision);
  if (!options_.identity.instructions.empty()) result["instructions"] = options_.identity.instructions;
  counters_.requests.fetch_add(1, std::memory_order_relaxed);
  return {make_result(id, std::move(result)), std::move(session)};
}

void Engine::bind_session(RequestContext& context, std::shared_ptr<Session> session) const {
  context.revision = session->revision();
  context.client_capabilities = session->shared_client_capabilities();
  context.log_level = session->log_level();
  context.session = std::move(session);
}

std::optional<RpcError> Engine::bind_stateless(RequestContext& context) const {
  json::object const* meta = nullptr;
  if (auto const* m = context.params.if_contains("_meta"); m && m->is_object()) meta = &m->get_object();
  auto missing = [](std::string_view key, std::string_view what) {
    return RpcError{error_code::kInvalidParams,
                    "params._meta[\"" + std::string(key) + "\"] is required and must be " + std::string(what)};
  };
  auto const* version = meta ? meta->if_contains(meta_key::kProtocolVersion) : nullptr;
  if (!version || !version->is_string()) return missing(meta_key::kProtocolVersion, "a protocol version string");
  auto const revision = parse_revision(version->get_string());
  if (!revision || !is_stateless(*revision)) {
    json::array supported;
    for (auto r : kSupportedRevisions) supported.emplace_back(to_string(r));
    return RpcError{error_code::kUnsupportedProtocolVersion,
                    "protocol version \"" + std::string(version->get_string()) +
                        "\" is not served statelessly; use 2026-07-28, or initialize a session for an older revision",
                    json::object{{"supported", std::move(supported)}, {"requested", version->get_string()}}};
  }
  auto const* capabilities = meta->if_contains(meta_key::kClientCapabilities);
  if (!capabilities || !capabilities->is_object())
    return missing(meta_key::kClientCapabilities, "an object (empty when the client has no capabilities)");
  context.revision = *revision;
  context.client_capabilities = std::make_shared<json::object const>(capabilities->get_object());
  if (auto const* level = meta->if_contains(meta_key::kLogLevel)) {
    auto const parsed = level->is_string() ? parse_log_level(level->get_string()) : std::nullopt;
    if (!parsed)
      return RpcError{error_code::kInvalidParams, "params._meta[\"" + std::string(meta_key::kLogLevel) +
                                                      "\"] must be one of debug, info, notice, warning, error, "
                                                      "critical, alert, emergency"};
    context.log_level = parsed;
  } else {
    context.log_level.reset();
  }
  return std::nullopt;
}

Engine::MethodInfo const* Engine::find_method(std::string_view name) const {
  static std::unordered_map<std::string_view, MethodInfo> const kMethods = {
      {"ping", {&Engine::ping, true, false, false}},
      {"logging/setLevel", {&Engine::set_log_level, true, false, false}},
      {"server/discover", {&Engine::discover, false, true, true}},
      {"subscriptions/listen", {&Engine::listen, false, true, false}},
      {"tools/list", {&Engine::list_tools, false, false, true}},
      {"tools/call", {&Engine::call_tool, false, false, false}},
      {"resources/list", {&Engine::list_resources, false, false, true}},
      {"resources/templates/list", {&Engine::list_templates, false, false, true}},
      {"resources/read", {&Engine::read_resource, false, false, true}},
      {"resources/subscribe", {&Engine::subscribe, true, false, false}},
      {"resources/unsubscribe", {&Engine::unsubscribe, true, false, false}},
      {"prompts/list", {&Engine::list_prompts, false, false, true}},
      {"prompts/get", {&Engine::get_prompt, false, false, false}},
      {"completion/complete", {&Engine::complete, false, false, false}},
  };
  auto it = kMethods.find(name);
  return it == kMethods.end() ? nullptr : &it->second;
}

bool Engine::may_stream(RequestContext const& context) const {
  if (context.method == "subscriptions/listen") return true;
  bool const can_be_asked = context.client_has_capability("sampling") ||
                            context.client_has_capability("elicitation") || context.client_has_capability("roots");
  if (context.method == "prompts/get") {
    auto const name = string_param(context.params, "name");
    auto const snapshot = catalog_.snapshot();
    auto const it = name ? snapshot->prompts_by_name.find(std::string(*name)) : snapshot->prompts_by_name.end();
    return can_be_asked && it != snapshot->prompts_by_name.end() && it->second->may_ask_client;
  }
  if (context.method != "tools/call") return false;
  // The token is bound to the context when the request is served, after this decision.
  if (auto const* meta = context.params.if_contains("_meta"); meta && meta->is_object())
    if (auto const* token = meta->get_object().if_contains("progressToken"); token && !token->is_null()) return true;
  auto const tool = called_tool(context);
  if (!tool) return false;
  if (tool->may_stream) return true;
  return tool->may_ask_client && (context.log_level || can_be_asked);
}

bool Engine::cancellable(RequestContext const& context) const {
  if (context.method != "tools/call") return false;
  auto const tool = called_tool(context);
  return tool && tool->may_ask_client;
}

std::shared_ptr<Tool const> Engine::called_tool(RequestContext const& context) const {
  auto const name = string_param(context.params, "name");
  if (!name) return nullptr;
  auto const snapshot = catalog_.snapshot();
  auto it = snapshot->tools_by_name.find(std::string(*name));
  return it == snapshot->tools_by_name.end() ? nullptr : it->second;
}

asio::awaitable<std::optional<json::object>> Engine::handle(RequestContext& context) {
  auto const started = std::chrono::steady_clock::now();
  if (context.correlation_id.empty()) context.correlation_id = util::unique_id();
  std::optional<json::object> response;
  auto const most = max_in_flight_per_session_.load(std::memory_order_relaxed);
  if (context.session && !context.session->begin_serving(most)) {
    counters_.requests.fetch_add(1, std::memory_order_relaxed);
    response = make_error(context.id, RpcError{error_code::kTooManyInFlight,
                                               "this session has " + std::to_string(most) +
                                                   " requests in flight (limits.max_in_flight_per_session); wait "
                                                   "for one to finish"});
  } else {
    struct EndServing {
      Session* session;
      ~EndServing() {
        if (session) session->end_serving();
      }
    } const serving{context.session.get()};
    response = co_await dispatch(context);
  }
  // A cancelled request is still published and reported: what follows must not be cancelled too
  // (a cancelled coroutine's next co_await would throw, and the request would vanish unlogged).
  if (!response) co_await asio::this_coro::reset_cancellation_state();
  // What the request changed in a shared session reaches the store before the client hears back.
  if (context.session) co_await sessions_.publish(*context.session);
  report(context, response, started);
  co_return response;
}

void Engine::report(RequestContext const& context, std::optional<json::object>& response,
                    std::chrono::steady_clock::time_point started) {
  RequestOutcome outcome;
  outcome.cancelled = !response;
  if (response) {
    if (auto* error = response->if_contains("error"); error && error->is_object()) {
      auto& error_object = error->get_object();
      if (auto const* code = error_object.if_contains("code"); code && code->is_int64())
        outcome.error_code = static_cast<int>(code->get_int64());
      // The id that finds this request's log lines travels with the error.
      auto& data = error_object["data"];
      if (data.is_null()) data = json::object{};
      if (data.is_object()) data.get_object()["correlation_id"] = context.correlation_id;
    } else if (auto const* result = response->if_contains("result"); result && result->is_object()) {
      auto const* is_error = result->get_object().if_contains("isError");
      outcome.tool_error = is_error && is_error->is_bool() && is_error->get_bool();
    }
  }
  if (!observer_) return;
  outcome.method = context.method;
  if (context.method == "tools/call")
    if (auto const name = string_param(context.params, "name")) outcome.tool = *name;
  outcome.client_id = context.client_id;
  outcome.correlation_id = context.correlation_id;
  if (context.session) outcome.session_id = context.session->id();
  outcome.endpoint = context.endpoint;
  outcome.upstream = context.upstream;
  outcome.revision = context.revision;
  outcome.elapsed = std::chrono::steady_clock::now() - started;
  observer_->on_request(outcome);
}

asio::awaitable<std::optional<json::object>> Engine::inject_fault(RequestContext& context) {
  auto const faults = faults_.load();
  if (!faults->enabled) co_return std::nullopt;
  if (faults->latency.count() > 0) {
    asio::steady_timer timer(context.executor, faults->latency);
    co_await timer.async_wait(asio::use_awaitable);
  }
  thread_local std::mt19937 random{std::random_device{}()};
  if (std::uniform_real_distribution<double>(0, 1)(random) >= faults->error_rate) co_return std::nullopt;
  co_return error_result("injected fault: this call failed on purpose (faults.error_rate = " +
                         std::to_string(faults->error_rate) + ")");
}

asio::awaitable<std::optional<json::object>> Engine::dispatch(RequestContext& context) {
  counters_.requests.fetch_add(1, std::memory_order_relaxed);
  bool aborted = false;
  std::optional<RpcError> failure;
  try {
    auto const* info = find_method(context.method);
    if (context.method == "initialize" && !context.stateless())
      throw RpcError{error_code::kInvalidRequest, "this session is already initialized; start a new session "
                                                  "(without Mcp-Session-Id) to initialize again"};
    if (!info || (info->session_only && context.stateless()) || (info->stateless_only && !context.stateless())) {
      std::string message = "method not found: \"" + context.method + "\"";
      if (context.stateless() && (context.method == "initialize" || (info && info->session_only)))
        message += " is not part of protocol revision 2026-07-28; supported versions: 2026-07-28, 2025-11-25, "
                   "2025-06-18, 2025-03-26 (the older ones through initialize)";
      else if (!context.stateless() && info && info->stateless_only)
        message += " exists only in protocol revision 2026-07-28";
      throw RpcError{error_code::kMethodNotFound, std::move(message)};
    }
    if (auto const* meta = context.params.if_contains("_meta"); meta && meta->is_object())
      if (auto const* token = meta->get_object().if_contains("progressToken");
          token && (token->is_string() || token->is_int64() || token->is_uint64()))
        context.progress_token = *token;

    json::object result = co_await (this->*(info->method))(context);
    if (!context.stateless() && may_ask_for_input(context.method))
      result = co_await answer_input_requests(context, info->method, std::move(result));
    if (context.stateless()) {
      bool const complete = !result.contains("resultType");
      if (complete) result["resultType"] = "complete";
      if (complete && info->cacheable && !result.contains("ttlMs")) {
        auto const ttl = context.method == "resources/read" ? options_.read_ttl : options_.list_ttl;
        result["ttlMs"] = ttl.count();
        result["cacheScope"] = "public";
      }
      auto& meta = result["_meta"];
      if (!meta.is_object()) meta = json::object{};
      meta.get_object()[meta_key::kServerInfo] = server_info(context.revision);
    }
    co_return make_result(context.id, std::move(result));
  } catch (RpcError& error) {
    failure = std::move(error);
  } catch (boost::system::system_error const& error) {
    if (error.code() == asio::error::operation_aborted) aborted = true;
    else failure = RpcError{error_code::kInternalError, std::string("internal error: ") + error.what()};
  } catch (std::exception const& error) {
    failure = RpcError{error_code::kInternalError, std::string("internal error: ") + error.what()};
  }
  if (aborted) {
    auto const state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) co_return std::nullopt;
    failure = RpcError{error_code::kInternalError, "the request was aborted"};
  }
  counters_.errors.fetch_add(1, std::memory_order_relaxed);
  co_return make_error(context.id, *failure);
}

RequestContext Engine::request_context(json::object& message, RequestContext origin) {
  RequestContext context;
  context.executor = std::move(origin.executor);
  context.client_id = std::move(origin.client_id);
  context.correlation_id = std::move(origin.correlation_id);
  context.endpoint = origin.endpoint;
  context.received = origin.received;
  context.id = message.at("id");
  context.method = message.at("method").get_string();
  if (auto* params = message.if_contains("params"); params && params->is_object())
    context.params = std::move(params->get_object());
  return context;
}

asio::awaitable<void> Engine::take(Session* session, json::object const& message, MessageKind kind) {
  if (kind == MessageKind::kNotification) {
    handle_notification(session, message);
  } else if (kind == MessageKind::kResponse && session && !handle_response(*session, message)) {
    co_await sessions_.forward_reply(*session, message);
  }
}

asio::awaitable<void> Engine::receive(std::shared_ptr<Session> const& session, json::object const& message,
                                      MessageKind kind) {
  co_await take(session.get(), message, kind);
  // What a notification changed (log level, initialized) reaches the other replicas.
  if (session && kind == MessageKind::kNotification) co_await sessions_.publish(*session);
}

asio::awaitable<Engine::BatchOutcome> Engine::handle_batch(json::array& batch, std::shared_ptr<Session> const& session,
                                                           RequestContext const& origin) {
  BatchOutcome outcome;
  if (!session || !allows_batches(session->revision())) {
    outcome.refused = RpcError{error_code::kInvalidRequest,
                               "JSON-RPC batches are allowed only in a 2025-03-26 session; send one message at a time"};
    co_return outcome;
  }
  if (batch.empty()) {
    outcome.refused = RpcError{error_code::kInvalidRequest, "the batch is empty"};
    co_return outcome;
  }
  if (batch.size() > kMaxBatchMessages) {
    outcome.refused = RpcError{error_code::kInvalidRequest, "a batch may hold at most " +
                                                                std::to_string(kMaxBatchMessages) + " messages; this one holds " +
                                                                std::to_string(batch.size())};
    co_return outcome;
  }
  for (auto& element : batch) {
    auto const classification = classify(element);
    if (classification.kind == MessageKind::kInvalid) {
      outcome.responses.push_back(make_error(id_of(element), error_code::kInvalidRequest, classification.problem));
      continue;
    }
    auto& message = element.get_object();
    if (classification.kind != MessageKind::kRequest) {
      co_await take(session.get(), message, classification.kind);
      continue;
    }
    if (message.at("method") == "initialize") {
      outcome.responses.push_back(
          make_error(message.at("id"), error_code::kInvalidRequest, "initialize must not be part of a batch"));
      continue;
    }
    RequestContext context = request_context(message, origin);
    bind_session(context, session);
    if (auto response = co_await handle(context)) outcome.responses.push_back(std::move(*response));
  }
  co_await sessions_.publish(*session);  // what its notifications changed
  co_return outcome;
}

void Engine::handle_notification(Session* session, json::object const& message) {
  counters_.notifications.fetch_add(1, std::memory_order_relaxed);
  auto const& method = message.at("method").get_string();
  if (!session) return;  // stateless: cancellation is closing the stream; nothing else is stateful
  if (method == "notifications/initialized") {
    session->mark_initialized();
  } else if (method == "notifications/cancelled") {
    if (auto const* params = message.if_contains("params"); params && params->is_object())
      if (auto const* id = params->get_object().if_contains("requestId")) session->cancel_request(id_key(*id));
  }
}

asio::awaitable<json::object> Engine::ask_session(std::string const& session_id, std::string method,
                                                  json::object params, std::string capability) {
  auto session = sessions_.find(session_id);
  if (!session) throw RpcError{error_code::kInternalError, "the client session has ended"};
  auto stream = session->standalone_stream();
  if (!stream)
    throw RpcError{error_code::kInternalError, method + " came outside any call, and the client has no stream open "
                                                        "for that (GET /mcp)"};
  struct StandaloneChannel final : RequestChannel {
    std::shared_ptr<EventStream> stream;
    asio::awaitable<void> send(json::object message) override {
      stream->push(json::serialize(message));
      co_return;
    }
  } channel;
  channel.stream = std::move(stream);
  RequestContext context;
  context.executor = co_await asio::this_coro::executor;
  context.revision = session->revision();
  context.client_capabilities = session->shared_client_capabilities();
  context.session = session;
  context.channel = &channel;
  co_return co_await context.ask_client(method, std::move(params), capability);
}

bool Engine::handle_response(Session& session, json::object const& message) {
  return session.deliver_reply(id_key(message.at("id")), message);
}

void Engine::add_listener(std::weak_ptr<NotificationListener> listener) {
  std::lock_guard lock(listeners_mutex_);
  std::erase_if(listeners_, [](auto const& l) { return l.expired(); });
  if (auto const live = listener.lock(); live && listens_ended_) live->finish();
  listeners_.push_back(std::move(listener));
}

void Engine::end_listen_streams() {
  std::lock_guard lock(listeners_mutex_);
  listens_ended_ = true;
  for (auto const& weak : listeners_)
    if (auto listener = weak.lock()) listener->finish();
}

void Engine::broadcast(CatalogChange change) {
  std::string const message = json::serialize(make_notification(notification_method(change), {}));
  sessions_.for_each([&](Session& session) {
    if (auto stream = session.standalone_stream()) stream->push(message);
  });
  std::lock_guard lock(listeners_mutex_);
  for (auto const& weak : listeners_)
    if (auto listener = weak.lock()) listener->deliver(change);
}

void Engine::broadcast_updated(std::string const& uri) {
  std::string const message =
      json::serialize(make_notification("notifications/resources/updated", json::object{{"uri", uri}}));
  sessions_.for_each([&](Session& session) {
    if (!session.subscribed(uri)) return;
    if (auto stream = session.standalone_stream()) stream->push(message);
  });
  std::lock_guard lock(listeners_mutex_);
  for (auto const& weak : listeners_)
    if (auto listener = weak.lock()) listener->deliver_resource_updated(uri);
}

json::object text_content(std::string_view text) { return json::object{{"type", "text"}, {"text", text}}; }

json::object text_result(std::string_view text) {
  return json::object{{"content", json::array{text_content(text)}}};
}

json::object error_result(std::string_view text) {
  return json::object{{"content", json::array{text_content(text)}}, {"isError", true}};
}

}  // namespace prodmcp::protocol
