#include "gateway/gateway.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <mutex>
#include <thread>

#include "config/upstream_keys.hpp"
#include "gateway/call_trace.hpp"
#include "gateway/client_relay.hpp"
#include "gateway/input_rounds.hpp"
#include "gateway/upstream.hpp"
#include "logging/detached_failure.hpp"
#include "logging/log.hpp"
#include "protocol/engine.hpp"
#include "protocol/meta_keys.hpp"
#include "protocol/session.hpp"

namespace prodmcp::gateway {

namespace {

namespace rpc = protocol::error_code;
using logging::Level;
using protocol::RequestContext;
using protocol::RpcError;

constexpr std::size_t kDescribedToolNames = 500;  // /upstreams names this many of an upstream's tools (and counts all)

std::string string_field(json::object const& object, std::string_view key) {
  return std::string(protocol::string_param(object, key).value_or(""));
}

bool listed(std::vector<std::string> const& names, std::string const& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Who makes a call of `upstream` and how it is traced, for the hooks of either era.
CallHooks base_hooks(RequestContext const& context, std::string const& upstream, bool retryable) {
  CallHooks hooks;
  hooks.correlation_id = context.correlation_id;
  hooks.owner = context.session ? context.session->id() : "request:" + context.correlation_id;
  hooks.retryable = retryable;
  if (context.session) {
    hooks.session = context.session->id();
    // Written into the client's session, so with sessions in Redis every replica finds it.
    hooks.remote_session = [session = context.session, upstream] { return session->upstream_session(upstream); };
    hooks.remember_remote_session = [session = context.session, upstream](std::string const& value) {
      session->set_upstream_session(upstream, value);
    };
  }
  return hooks;
}

// What the server sends while serving a call of `upstream` reaches the client that made it, in
// the calling coroutine: a client of the session revisions, which may be asked things mid-call.
CallHooks hooks_for(RequestContext& context, std::string const& upstream, bool retryable) {
  auto hooks = base_hooks(context, upstream, retryable);
  if (!context.progress_token.is_null())
    hooks.progress = [&context](json::object const& params) { return relay_progress(context, params); };
  hooks.log = [&context](json::object const& params) { return relay_log(context, params); };
  hooks.server_request = [&context](std::string const& method, json::object params) -> asio::awaitable<json::object> {
    auto const capability = protocol::client_request_capability(method);
    if (capability.empty())
      throw RpcError{rpc::kMethodNotFound, "the gateway does not forward \"" + method + "\" to clients"};
    co_return co_await context.ask_client(method, std::move(params), capability);
  };
  return hooks;
}

// The params sent upstream: the client's, less what belongs to this hop (its protocol metadata
// and progress token); the correlation id travels as a W3C traceparent.
json::object forwarded_params(RequestContext const& context, json::object params) {
  json::object meta;
  if (auto const* m = context.params.if_contains("_meta"); m && m->is_object())
    for (auto const& [key, value] : m->get_object())
      if (!key.starts_with("io.modelcontextprotocol/") && key != "progressToken") meta[key] = value;
  if (!meta.contains("traceparent")) {
    // 32 hex digits of trace id from the correlation id's hex digits (padded), a fixed span.
    std::string trace;
    for (char c : context.correlation_id)
      if (std::isxdigit(static_cast<unsigned char>(c))) trace += static_cast<char>(std::tolower(c));
    trace.resize(32, '0');
    meta["traceparent"] = "00-" + trace + "-0000000000000001-01";
  }
  params["_meta"] = std::move(meta);
  return params;
}

// A client's request, sent to `target` on its behalf: what the upstream sends while serving it
// reaches that client. A 2026-07-28 client cannot be asked anything mid-call, so its calls that
// may need input run apart from its request and come back as rounds (see InputRounds).
// The client's leg of a proxied call, and the upstream leg its hooks fill, into the gateway's trace.
struct TraceScope {
  TraceScope(Upstream const& target, RequestContext const& context, std::string const& method,
             json::object const& params)
      : trace(target.trace()),
        // From when the gateway had the client's request (auth, limits and routing count too).
        started(context.received == std::chrono::steady_clock::time_point{} ? std::chrono::steady_clock::now()
                                                                             : context.received) {
    if (!trace) return;
    legs = std::make_shared<UpstreamLegs>(started);
    call.at_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          (std::chrono::system_clock::now() - (std::chrono::steady_clock::now() - started))
                              .time_since_epoch()).count();
    call.correlation_id = context.correlation_id;
    if (context.session) call.session = context.session->id().substr(0, 8);
    call.client_id = context.id;
    call.method = method;
    call.name = string_field(context.params, method == "resources/read" ? "uri" : "name");
    if (call.name.empty()) call.name = string_field(params, "name");
    call.upstream = target.name();
  }
  void finish(std::string error) {
    if (!trace) return;
    call.total_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    call.legs = legs->legs();
    call.outcome = error.empty() ? "ok" : "error";
    call.error = std::move(error);
    trace->record(std::move(call));
  }
  CallTrace* trace;
  std::chrono::steady_clock::time_point const started;
  std::shared_ptr<UpstreamLegs> legs;
  TracedCall call;
};

asio::awaitable<json::object> forward_traced(Upstream& target, InputRounds& rounds, RequestContext& context,
                                             std::string method, json::object forwarded, bool retryable,
                                             std::shared_ptr<UpstreamLegs> legs) {
  if (context.stateless() && protocol::may_ask_for_input(method)) {
    InputRounds::Call call = [target = target.shared_from_this(), method,
                              forwarded = std::move(forwarded)](CallHooks const& hooks) -> asio::awaitable<json::object> {
      co_return co_await target->call(method, forwarded, hooks);
    };
    auto hooks = base_hooks(context, target.name(), retryable);
    hooks.legs = std::move(legs);
    co_return co_await rounds.serve(context, std::move(hooks), std::move(call));
  }
  auto hooks = hooks_for(context, target.name(), retryable);
  hooks.legs = std::move(legs);
  co_return co_await target.call(method, std::move(forwarded), hooks);
}

asio::awaitable<json::object> forward(Upstream& target, InputRounds& rounds, RequestContext& context,
                                      std::string method, json::object params, bool retryable) {
  TraceScope scope(target, context, method, params);
  auto forwarded = forwarded_params(context, std::move(params));
  try {
    auto result = co_await forward_traced(target, rounds, context, method, std::move(forwarded), retryable, scope.legs);
    scope.finish({});
    co_return result;
  } catch (RpcError const& error) {
    scope.finish(error.message);
    throw;
  }
}

// completion/complete for a proxied prompt (`original` is its own name) or resource template
// (`original` empty: URI templates keep their names): the upstream's own answer.
protocol::CompletionForwarder forward_completion(std::weak_ptr<Upstream> weak, std::shared_ptr<InputRounds> rounds,
                                               std::string original) {
  return [weak = std::move(weak), rounds = std::move(rounds), original = std::move(original)](
             RequestContext& context, json::object const& params) -> asio::awaitable<json::object> {
    auto const target = weak.lock();
    if (!target) throw RpcError{rpc::kInternalError, "the upstream of this completion is gone"};
    json::object forwarded = params;
    if (!original.empty())
      if (auto* ref = forwarded.if_contains("ref"); ref && ref->is_object()) ref->get_object()["name"] = original;
    co_return co_await forward(*target, *rounds, context, "completion/complete", std::move(forwarded), true);  // changes nothing
  };
}

// Whether a tool's annotations promise that calling it twice does no harm.
bool safe_to_retry(json::object const& descriptor) {
  auto const* annotations = descriptor.if_contains("annotations");
  if (!annotations || !annotations->is_object()) return false;
  auto hint = [&](std::string_view key) {
    auto const* value = annotations->get_object().if_contains(key);
    return value && value->is_bool() && value->get_bool();
  };
  return hint("readOnlyHint") || hint("idempotentHint");
}

// A handler of a tool or prompt: `method` with the upstream's own name and the client's arguments.
auto forward_by_name(std::weak_ptr<Upstream> weak, std::shared_ptr<InputRounds> rounds, std::string method,
                     std::string original, bool retryable) {
  return [weak = std::move(weak), rounds = std::move(rounds), method = std::move(method), original = std::move(original),
          retryable](
             RequestContext& context, json::object const& arguments) -> asio::awaitable<json::object> {
    auto const target = weak.lock();
    if (!target) throw RpcError{rpc::kInternalError, "the upstream of \"" + original + "\" is gone"};
    json::object params{{"name", original}, {"arguments", arguments}};
    co_return co_await forward(*target, *rounds, context, method, std::move(params), retryable);
  };
}

}  // namespace

struct Gateway::Impl {
  Impl(protocol::Catalog& catalog, ops::Metrics* metrics, std::function<bool(std::string const&)> session_alive,
       std::chrono::seconds idle, protocol::RequestStateCodec const& request_state)
      : catalog(catalog),
        metrics(metrics),
        session_alive(std::move(session_alive)),
        idle(idle),
        rounds(std::make_shared<InputRounds>(request_state)) {}

  protocol::Catalog& catalog;
  ops::Metrics* metrics;
  std::function<bool(std::string const&)> const session_alive;
  std::chrono::seconds const idle;
  // Held by the catalog's handlers too: a call in a round may outlive the gateway's last list.
  std::shared_ptr<InputRounds> const rounds;
  std::atomic<bool> sweeping{true};

  // per-client children of sessions that ended or idled out, looked for this often.
  asio::awaitable<void> sweep() {
    asio::steady_timer timer(io);
    while (sweeping) {
      timer.expires_after(std::chrono::seconds(2));
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      for (auto const& upstream : upstreams) upstream->reap(session_alive, idle);
    }
  }
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread;
  std::vector<std::shared_ptr<Upstream>> upstreams;
  std::shared_ptr<CallTrace> const trace = std::make_shared<CallTrace>();

  // What each upstream put into the catalog, to take it out again when its lists change.
  struct Exposed {
    std::vector<std::string> tools, resources, templates, prompts;
  };
  std::mutex exposed_mutex;
  std::map<std::string, Exposed> exposed;

  std::map<std::string, std::string> prefixes;  // by upstream: config::exposed_prefix
  std::string const& prefix_for(Upstream const& upstream) const { return prefixes.at(upstream.name()); }

  // Whose exposed name this is already, other than `upstream`'s.
  std::string owner_of(std::string const& upstream, std::string const& name, bool prompt) {
    for (auto const& [other, items] : exposed)
      if (other != upstream && listed(prompt ? items.prompts : items.tools, name)) return other;
    return {};
  }

  void publish(std::shared_ptr<Upstream> const& upstream, Listing const& listing) {
    auto const& name = upstream->name();
    auto const prefix = prefix_for(*upstream);
    auto const& settings = upstream->settings();
    std::weak_ptr<Upstream> weak = upstream;
    protocol::Catalog::Changes changes;
    Exposed now;
    std::lock_guard lock(exposed_mutex);
    auto& before = exposed[name];

    for (auto const& item : listing.tools) {
      auto descriptor = item.as_object();
      auto const original = string_field(descriptor, "name");
      if (original.empty()) continue;
      if (!settings.tools_allow.empty() && !listed(settings.tools_allow, original)) continue;
      if (listed(settings.tools_deny, original)) continue;
      auto const exposed_as = config::exposed_name(prefix, original);
      if (exposed_as.empty() || listed(now.tools, exposed_as)) {
        log(Level::kError, name, "upstream_tool_skipped",
            json::object{{"tool", original}, {"reason", exposed_as.empty() ? "its exposed name would exceed 128 characters"
                                                                           : "two of its tools map to the same name"}});
        continue;
      }
      if (auto const other = owner_of(name, exposed_as, false); !other.empty()) {
        log(Level::kError, name, "upstream_name_collision",
            json::object{{"tool", exposed_as}, {"upstreams", json::array{other, name}},
                         {"hint", "give one of them a prefix ([upstreams." + name + "] prefix = \"...\")"}});
        continue;
      }
      descriptor["name"] = exposed_as;
      protocol::Tool tool;
      tool.descriptor = std::move(descriptor);
      tool.may_ask_client = true;  // sampling, elicitation or log messages may come while it runs
      tool.validate_arguments = false;
      tool.upstream = name;
      if (auto const ttl = settings.cache_ttl_s.find(original); ttl != settings.cache_ttl_s.end())
        tool.cache_ttl = std::chrono::seconds(ttl->second);
      tool.handler = forward_by_name(weak, rounds, "tools/call", original, safe_to_retry(tool.descriptor));
      now.tools.push_back(exposed_as);
      changes.tools.push_back(std::move(tool));
    }

    auto reader = [weak, rounds = rounds](RequestContext& context, std::string const& uri,
                         std::map<std::string, std::string> const&) -> asio::awaitable<json::object> {
      auto const target = weak.lock();
      if (!target) throw RpcError{rpc::kInternalError, "the upstream of this resource is gone"};
      json::object params{{"uri", uri}};
      co_return co_await forward(*target, *rounds, context, "resources/read", std::move(params), true);  // changes nothing
    };
    protocol::SubscriptionForwarder subscriber;
    if (listing.subscriptions)
      subscriber = [weak](RequestContext&, std::string const& uri) -> asio::awaitable<void> {
        if (auto const target = weak.lock()) co_await target->subscribe(uri);
      };
    for (auto const& item : listing.resources) {
      auto const uri = string_field(item.as_object(), "uri");
      if (uri.empty() || listed(now.resources, uri)) continue;
      now.resources.push_back(uri);
      changes.resources.push_back(protocol::Resource{item.as_object(), reader, subscriber});
    }
    for (auto const& item : listing.templates) {
      auto const pattern = string_field(item.as_object(), "uriTemplate");
      if (pattern.empty() || listed(now.templates, pattern)) continue;
      now.templates.push_back(pattern);
      protocol::ResourceTemplate resource_template{item.as_object(), reader, {}, {}, subscriber};
      if (listing.completions) resource_template.forward_completion = forward_completion(weak, rounds, {});
      changes.templates.push_back(std::move(resource_template));
    }
    for (auto const& item : listing.prompts) {
      auto descriptor = item.as_object();
      auto const original = string_field(descriptor, "name");
      auto const exposed_as = config::exposed_name(prefix, original);
      if (original.empty() || exposed_as.empty() || listed(now.prompts, exposed_as)) continue;
      if (auto const other = owner_of(name, exposed_as, true); !other.empty()) {
        log(Level::kError, name, "upstream_name_collision",
            json::object{{"prompt", exposed_as}, {"upstreams", json::array{other, name}}});
        continue;
      }
      descriptor["name"] = exposed_as;
      protocol::Prompt prompt;
      prompt.descriptor = std::move(descriptor);
      prompt.handler = forward_by_name(weak, rounds, "prompts/get", original, true);  // getting a prompt changes nothing
      prompt.may_ask_client = true;  // its server may ask for input while it answers
      if (listing.completions) prompt.forward_completion = forward_completion(weak, rounds, original);
      now.prompts.push_back(exposed_as);
      changes.prompts.push_back(std::move(prompt));
    }

    for (auto const& tool : before.tools)
      if (!listed(now.tools, tool)) changes.remove_tools.push_back(tool);
    for (auto const& uri : before.resources)
      if (!listed(now.resources, uri)) changes.remove_resources.push_back(uri);
    for (auto const& pattern : before.templates)
      if (!listed(now.templates, pattern)) changes.remove_templates.push_back(pattern);
    for (auto const& prompt : before.prompts)
      if (!listed(now.prompts, prompt)) changes.remove_prompts.push_back(prompt);
    before = std::move(now);
    catalog.apply(std::move(changes));
  }

  static void log(Level level, std::string const& upstream, std::string_view event, json::object fields) {
    fields["upstream"] = upstream;
    logging::write(level, "gateway", event, std::move(fields));
  }
};

Gateway::Gateway(config::Settings const& settings, protocol::Catalog& catalog, ops::Metrics* metrics,
                 std::function<bool(std::string const& session)> session_alive, SessionAsker ask,
                 protocol::RequestStateCodec const& request_state)
    : impl_(std::make_unique<Impl>(catalog, metrics, std::move(session_alive),
                                   std::chrono::seconds(settings.server.session_idle_timeout_s), request_state)) {
  bool const replicated_sessions = !settings.cache.redis_url.empty() && settings.cache.share_sessions;
  for (auto const& [name, upstream_settings] : settings.upstreams) {
    impl_->prefixes[name] = config::exposed_prefix(settings, name);
    auto upstream_holder = std::make_shared<std::weak_ptr<Upstream>>();
    Upstream::Observer observer;
    auto* impl = impl_.get();
    observer.listed = [impl, upstream_holder](Listing const& listing) {
      if (auto upstream = upstream_holder->lock()) impl->publish(upstream, listing);
    };
    observer.resource_updated = [impl](std::string const& uri) { impl->catalog.resource_updated(uri); };
    ClientSessions clients;
    clients.replicated = replicated_sessions;
    if (ask)
      clients.ask = [ask](std::string const& session, std::string const& method,
                          json::object params) -> asio::awaitable<json::object> {
        auto const capability = protocol::client_request_capability(method);
        if (capability.empty())
          throw RpcError{rpc::kMethodNotFound, "the gateway does not forward \"" + method + "\" to clients"};
        co_return co_await ask(session, method, std::move(params), std::string(capability));
      };
    auto upstream = std::make_shared<Upstream>(name, upstream_settings, settings.resilience, impl_->io.get_executor(), metrics,
                                               std::move(observer), std::move(clients));
    *upstream_holder = upstream;
    upstream->set_trace(impl_->trace);
    impl_->upstreams.push_back(std::move(upstream));
  }
}

Gateway::~Gateway() { stop(std::chrono::milliseconds(0)); }

void Gateway::start() {
  impl_->thread = std::thread([this] { impl_->io.run(); });
  for (auto const& upstream : impl_->upstreams) upstream->start();
  asio::co_spawn(impl_->io, impl_->sweep(), logging::LogFailure{"gateway_sweep"});
}

void Gateway::stop(std::chrono::milliseconds grace) {
  if (!impl_->thread.joinable()) return;
  impl_->sweeping = false;
  impl_->rounds->close();
  for (auto const& upstream : impl_->upstreams) upstream->stop(grace);
  // The children get their grace, then SIGKILL; wait for that to have happened.
  auto const deadline = std::chrono::steady_clock::now() + grace + std::chrono::seconds(5);
  auto all_stopped = [&] {
    return std::all_of(impl_->upstreams.begin(), impl_->upstreams.end(),
                       [](auto const& upstream) { return upstream->stopped_child(); });
  };
  while (!all_stopped() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  impl_->work.reset();
  impl_->io.stop();
  impl_->thread.join();
  if (!all_stopped()) logging::write(Level::kWarning, "gateway", "upstreams_not_stopped", {});
}

asio::awaitable<ops::CheckResult> Gateway::check() {
  ops::CheckResult result;
  auto const started = std::chrono::steady_clock::now();
  bool required_down = false, optional_down = false;
  for (auto const& upstream : impl_->upstreams) {
    auto status = upstream->status();
    ops::CheckResult::Part part{upstream->name(), "healthy", status.state, 0};
    if (status.ready()) {
      try {
        part.latency_ms = co_await upstream->ping();
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.1f", part.latency_ms);
        part.detail += " (ping " + std::string(buffer) + " ms)";
      } catch (RpcError const& error) {
        status.state = "unanswered";
        part.detail = "ping failed: " + error.message;
      }
    } else {
      part.detail += " (" + status.detail + ")";
    }
    if (status.client_children > 0)
      part.detail += ", children of client sessions: " + std::to_string(status.client_children);
    if (status.state != "ready") {
      (status.required ? required_down : optional_down) = true;
      part.status = status.required ? "unhealthy" : "degraded";
    }
    result.detail += (result.detail.empty() ? "" : "; ") + upstream->name() + ": " + part.detail;
    result.parts.push_back(std::move(part));
  }
  result.latency_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  result.status = required_down ? "unhealthy" : optional_down ? "degraded" : "healthy";
  co_return result;
}

json::array Gateway::describe() const {
  json::array described;
  for (auto const& upstream : impl_->upstreams) {
    auto one = upstream->describe();
    one["prefix"] = impl_->prefix_for(*upstream);  // a tool's name here: prefix + its own name
    {
      std::lock_guard lock(impl_->exposed_mutex);
      Impl::Exposed none;
      auto const found = impl_->exposed.find(upstream->name());
      auto const& exposed = found == impl_->exposed.end() ? none : found->second;
      json::array tools;
      for (auto const& tool : exposed.tools) {
        if (tools.size() == kDescribedToolNames) break;
        tools.emplace_back(tool);
      }
      one["tools"] = std::move(tools);
      one["offered"] = json::object{{"tools", exposed.tools.size()},
                                    {"prompts", exposed.prompts.size()},
                                    {"resources", exposed.resources.size()},
                                    {"resource_templates", exposed.templates.size()}};
    }
    described.push_back(std::move(one));
  }
  return described;
}

bool Gateway::restart(std::string const& name, std::string const& why) {
  for (auto const& upstream : impl_->upstreams)
    if (upstream->name() == name) {
      upstream->restart(why);
      return true;
    }
  return false;
}

json::object Gateway::trace(std::uint64_t after, std::size_t limit) const {
  auto page = impl_->trace->since(after, limit);
  return json::object{{"calls", std::move(page.calls)}, {"next", page.next}, {"skipped", page.skipped}};
}

}  // namespace prodmcp::gateway
