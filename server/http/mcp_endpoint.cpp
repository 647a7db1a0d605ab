#include "http/mcp_endpoint.hpp"
#include "http/correlation.hpp"
#include "http/http_listener.hpp"
#include "http/mirrored_headers.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/system/system_error.hpp>
#include <charconv>

#include "logging/detached_failure.hpp"
#include "logging/log.hpp"
#include "protocol/meta_keys.hpp"
#include "protocol/request_state.hpp"

namespace prodmcp::http {

namespace json = boost::json;
namespace rpc = protocol::error_code;
using protocol::Engine;
using protocol::EventStream;
using protocol::RequestContext;
using protocol::Revision;
using protocol::RpcError;
using protocol::Session;

namespace {

// Whether an Accept header admits `type` ("application/json"), wildcards included.
bool accepts(std::string_view accept, std::string_view type) {
  auto const slash = type.find('/');
  while (!accept.empty()) {
    auto const comma = accept.find(',');
    auto range = trim(accept.substr(0, comma));
    range = trim(range.substr(0, range.find(';')));
    if (range == "*/*" || iequals(range, type) ||
        (range.ends_with("/*") && iequals(range.substr(0, range.size() - 1), type.substr(0, slash + 1))))
      return true;
    if (comma == std::string_view::npos) break;
    accept.remove_prefix(comma + 1);
  }
  return false;
}

// Responses are built by functions, never as braced temporaries inside co_await: GCC 12
// miscompiles aggregate temporaries in co_await expressions (double free).
Response status_only(int status) {
  Response response;
  response.status = status;
  return response;
}

Response rpc_error(int status, json::value id, RpcError const& error) {
  return Response{status, "application/json", json::serialize(protocol::make_error(std::move(id), error)), {}};
}

Response rpc_error(int status, json::value id, int code, std::string message, json::value data = nullptr) {
  return rpc_error(status, std::move(id), RpcError{code, std::move(message), std::move(data)});
}

// 2026-07-28 status mapping for JSON-RPC errors.
int stateless_status(int code) {
  switch (code) {
    case rpc::kMethodNotFound: return 404;
    case rpc::kInvalidParams:
    case rpc::kHeaderMismatch:
    case rpc::kMissingClientCapability:
    case rpc::kUnsupportedProtocolVersion:
    case rpc::kInvalidRequest:
    case rpc::kParseError: return 400;
    default: return 200;
  }
}

// Serialized SSE events.
void append_event(std::string& out, std::string_view id, std::string_view data) {
  if (!id.empty()) out.append("id: ").append(id).append("\n");
  out.append("event: message\ndata: ").append(data).append("\n\n");
}

// Messages related to one request, written into its event stream.
class StreamChannel final : public protocol::RequestChannel {
 public:
  explicit StreamChannel(std::shared_ptr<EventStream> stream) : stream_(std::move(stream)) {}
  asio::awaitable<void> send(json::object message) override {
    stream_->push(json::serialize(message));
    co_return;
  }
  void disconnect() override { stream_->disconnect_reader(); }

 private:
  std::shared_ptr<EventStream> stream_;
};

// A request served on an SSE stream: the handler runs detached from the HTTP connection so that a
// session-revision client can drop the connection and resume the stream later.
struct StreamingCall {
  RequestContext context;
  std::shared_ptr<EventStream> stream;
  std::unique_ptr<StreamChannel> channel;
  std::shared_ptr<protocol::InFlightRequest> in_flight;
  std::string key;
};

}  // namespace

struct McpEndpoint::Impl {
  Impl(Engine& engine, McpEndpointOptions options) : engine(engine), options(std::move(options)) {
    for (auto& proxy : this->options.trusted_proxies) proxy = canonical_address(proxy);
  }

  bool trusted_proxy(std::string const& address) const {
    return std::find(options.trusted_proxies.begin(), options.trusted_proxies.end(), address) !=
           options.trusted_proxies.end();
  }
  // Who sent the request: the peer, or behind trusted proxies the last address in
  // X-Forwarded-For that none of them added (each proxy appends the address it heard from).
  std::string client_address(Exchange& exchange) const {
    std::string address(exchange.remote_address());
    auto forwarded = exchange.header("X-Forwarded-For");
    while (trusted_proxy(address) && !forwarded.empty()) {
      auto const comma = forwarded.rfind(',');
      auto const hop = trim(comma == std::string_view::npos ? forwarded : forwarded.substr(comma + 1));
      forwarded = comma == std::string_view::npos ? std::string_view() : forwarded.substr(0, comma);
      if (!hop.empty()) address = canonical_address(hop);
    }
    return address;
  }

  Engine& engine;
  McpEndpointOptions options;
  std::atomic<std::size_t> posts_in_flight{0};

  asio::awaitable<void> serve(Exchange& exchange) {
    auto& notes = exchange.notes();
    notes.correlation_id = correlation_id_for(exchange);
    notes.client_id = "anonymous";
    if (!options.origins.host_allowed(exchange.header("Host")))
      co_return co_await exchange.respond(rpc_error(403, nullptr, rpc::kInvalidRequest,
                                                    "Host header names a host this server does not serve "
                                                    "(DNS rebinding protection)"));
    if (!options.origins.origin_allowed(exchange.header("Origin")))
      co_return co_await exchange.respond(rpc_error(403, nullptr, rpc::kInvalidRequest,
                                                    "Origin \"" + std::string(exchange.header("Origin")) +
                                                        "\" is not allowed"));
    bool authenticated = false;
    if (options.auth) {
      auto outcome = options.auth->authenticate(exchange.header("Authorization"));
      if (!outcome.allowed) co_return co_await exchange.respond(unauthorized(exchange, outcome.problem));
      notes.client_id = std::move(outcome.client_id);
      authenticated = outcome.authenticated;
    }
    auto const method = exchange.method();
    // Every request counts, streams and DELETEs too; without auth, per address, so one anonymous
    // client cannot spend everyone's budget.
    if (options.rate_limiter) {
      notes.rate_bucket = authenticated ? notes.client_id : "address:" + client_address(exchange);
      auto const decision = co_await options.rate_limiter->acquire(notes.rate_bucket, notes.client_id);
      if (!decision.allowed) co_return co_await exchange.respond(rate_limited(decision));
    }
    if (method == "POST") {
      struct InFlight {
        std::atomic<std::size_t>& count;
        explicit InFlight(std::atomic<std::size_t>& c) : count(c) { count.fetch_add(1, std::memory_order_relaxed); }
        ~InFlight() { count.fetch_sub(1, std::memory_order_relaxed); }
      } in_flight(posts_in_flight);
      co_return co_await post(exchange);
    }
    if (method == "GET") co_return co_await get(exchange);
    if (method == "DELETE") co_return co_await remove(exchange);
    Response response = rpc_error(405, nullptr, rpc::kInvalidRequest, "the MCP endpoint accepts POST, GET and DELETE");
    response.headers.emplace_back("Allow", "GET, POST, DELETE");
    co_await exchange.respond(std::move(response));
  }

  // ---- POST -------------------------------------------------------------------------------------

  asio::awaitable<void> post(Exchange& exchange) {
    if (!is_json_content_type(exchange.header("Content-Type")))
      co_return co_await exchange.respond(rpc_error(415, nullptr, rpc::kInvalidRequest,
                                                    "Content-Type must be application/json"));
    auto const accept = exchange.header("Accept");
    if (!accepts(accept, "application/json") || !accepts(accept, "text/event-stream"))
      co_return co_await exchange.respond(rpc_error(406, nullptr, rpc::kInvalidRequest,
                                                    "Accept must list both application/json and text/event-stream"));

    json::parse_options parse_options;
    parse_options.max_depth = static_cast<std::size_t>(options.max_json_depth);
    boost::system::error_code ec;
    json::value body = json::parse(exchange.body(), ec, json::storage_ptr(), parse_options);
    if (ec)
      co_return co_await exchange.respond(rpc_error(400, nullptr, rpc::kParseError,
                                                    "the body is not valid JSON (" + ec.message() + ")"));

    if (body.is_array()) co_return co_await post_batch(exchange, body.get_array());
    auto const classification = protocol::classify(body);
    if (classification.kind == protocol::MessageKind::kInvalid)
      co_return co_await exchange.respond(rpc_error(400, protocol::id_of(body), rpc::kInvalidRequest,
                                                    std::string(classification.problem)));
    json::object& message = body.get_object();

    bool const stateless = Engine::has_stateless_meta(message) ||
                           trim(exchange.header("MCP-Protocol-Version")) ==
                               protocol::to_string(protocol::kStatelessRevision);
    if (stateless) co_return co_await post_stateless(exchange, message, classification.kind);

    if (classification.kind == protocol::MessageKind::kRequest && message.at("method") == "initialize") {
      auto initialized = engine.initialize(message, make_origin(exchange));
      // Stored before the client learns the id, so its next request may land on any replica.
      if (initialized.session) co_await engine.sessions().publish(*initialized.session);
      Response response{initialized.session ? 200 : 400, "application/json",
                        json::serialize(initialized.response), {}};
      if (initialized.session) response.headers.emplace_back("Mcp-Session-Id", initialized.session->id());
      co_return co_await exchange.respond(std::move(response));
    }

    std::shared_ptr<Session> session;
    if (auto failure = co_await find_session(exchange, session, protocol::id_of(body)); failure) co_return;

    if (classification.kind != protocol::MessageKind::kRequest) {
      co_await engine.receive(session, message, classification.kind);
      co_return co_await exchange.respond(status_only(202));
    }
    RequestContext context = make_context(exchange, message);
    engine.bind_session(context, session);
    if (engine.may_stream(context)) co_return co_await serve_streaming(exchange, std::move(context), false);
    std::optional<json::object> response;  // not `c ? co_await a : co_await b`: GCC 12 miscompiles it
    if (engine.cancellable(context)) response = co_await handle_cancellable(exchange, context, *session);
    else response = co_await engine.handle(context);
    if (!response) co_return co_await exchange.respond(status_only(202));
    co_await exchange.respond(json_response(200, json::serialize(*response)));
  }

  // A call answered with plain JSON that notifications/cancelled can still reach (a proxied tool's
  // upstream is then told to cancel it too).
  asio::awaitable<std::optional<json::object>> handle_cancellable(Exchange& exchange, RequestContext& context,
                                                                  Session& session) {
    auto const key = protocol::id_key(context.id);
    auto const in_flight = session.begin_request(key, exchange.executor());
    auto response = co_await asio::co_spawn(exchange.executor(), engine.handle(context),
                                            asio::bind_cancellation_slot(in_flight->signal.slot(), asio::use_awaitable));
    session.end_request(key);
    co_return response;
  }

  // 429 with Retry-After in whole seconds (rounded up) and the exact wait in the JSON-RPC error.
  static Response rate_limited(ratelimit::Decision const& decision) {
    auto const wait_ms = decision.retry_after.count();
    Response response = rpc_error(429, nullptr, rpc::kRateLimited,
                                  "rate limit exceeded for this client; retry after " + std::to_string(wait_ms) + " ms",
                                  json::object{{"retry_after_ms", wait_ms}});
    response.headers.emplace_back("Retry-After", std::to_string(std::max<std::int64_t>(1, (wait_ms + 999) / 1000)));
    return response;
  }

  // RFC 6750: a request without credentials gets the bare challenge; a bad token names the error.
  static Response unauthorized(Exchange& exchange, std::string const& problem) {
    Response response = rpc_error(401, nullptr, rpc::kUnauthorized, "unauthorized: " + problem);
    std::string challenge = "Bearer realm=\"prodmcp\"";
    if (exchange.has_header("Authorization")) challenge += ", error=\"invalid_token\"";
    response.headers.emplace_back("WWW-Authenticate", std::move(challenge));
    return response;
  }

  // Who asks, as the engine's logs and metrics see it; the engine reports the request from here on.
  static RequestContext make_origin(Exchange& exchange) {
    auto& notes = exchange.notes();
    notes.dispatched = true;
    RequestContext context;
    context.executor = exchange.executor();
    context.correlation_id = notes.correlation_id;
    context.received = notes.received;
    context.client_id = notes.client_id;
    context.endpoint = "/mcp";
    return context;
  }

  static RequestContext make_context(Exchange& exchange, json::object& message) {
    return Engine::request_context(message, make_origin(exchange));
  }

  // Looks up the session a legacy request names; answers the request itself (400/404) when it
  // cannot, returning true.
  asio::awaitable<bool> find_session(Exchange& exchange, std::shared_ptr<Session>& session, json::value id) {
    auto const header = exchange.header("Mcp-Session-Id");
    if (header.empty()) {
      co_await exchange.respond(rpc_error(400, std::move(id), rpc::kInvalidRequest,
                                          "Mcp-Session-Id header is required; send initialize first to get one"));
      co_return true;
    }
    session = co_await engine.sessions().lookup(std::string(header));
    // A session is its creator's: to anyone else it does not exist.
    if (session && session->client_id() != exchange.notes().client_id) session = nullptr;
    if (!session) {
      co_await exchange.respond(rpc_error(404, std::move(id), -32001,
                                          "session not found (it ended or expired); initialize a new session"));
      co_return true;
    }
    if (exchange.has_header("MCP-Protocol-Version")) {
      auto const version = trim(exchange.header("MCP-Protocol-Version"));
      auto const revision = protocol::parse_revision(version);
      if (!revision || protocol::is_stateless(*revision)) {
        co_await exchange.respond(rpc_error(400, std::move(id), rpc::kInvalidRequest,
                                            "unsupported MCP-Protocol-Version \"" + std::string(version) +
                                                "\"; this session negotiated " +
                                                std::string(protocol::to_string(session->revision()))));
        co_return true;
      }
    }
    session->touch();
    co_return false;
  }

  asio::awaitable<void> post_batch(Exchange& exchange, json::array& batch) {
    // Each message costs what it would alone: the request itself paid for the first (one the
    // engine refuses for its size costs no more).
    for (std::size_t i = 1; options.rate_limiter && i < batch.size() && batch.size() <= Engine::kMaxBatchMessages; ++i) {
      auto const& notes = exchange.notes();
      auto const decision = co_await options.rate_limiter->acquire(notes.rate_bucket, notes.client_id);
      if (!decision.allowed) co_return co_await exchange.respond(rate_limited(decision));
    }
    std::shared_ptr<Session> session;
    if (exchange.has_header("Mcp-Session-Id"))
      if (auto failure = co_await find_session(exchange, session, nullptr); failure) co_return;
    auto outcome = co_await engine.handle_batch(batch, session, make_origin(exchange));
    if (outcome.refused) {
      exchange.notes().dispatched = false;  // the engine served none of it: the listener reports it
      co_return co_await exchange.respond(rpc_error(400, nullptr, *outcome.refused));
    }
    if (outcome.responses.empty()) co_return co_await exchange.respond(status_only(202));
    co_await exchange.respond(json_response(200, json::serialize(outcome.responses)));
  }

  asio::awaitable<void> post_stateless(Exchange& exchange, json::object& message, protocol::MessageKind kind) {
    if (kind != protocol::MessageKind::kRequest) {
      // Notifications carry nothing stateful here; responses have nothing to answer (MRTR replaced them).
      co_await engine.receive(nullptr, message, kind);
      co_return co_await exchange.respond(status_only(202));
    }
    json::value const id = message.at("id");
    RequestContext context = make_context(exchange, message);
    // Missing _meta fields (-32602) come first; then a header that disagrees with the body (-32020),
    // even when the body names a version we do not serve (-32022).
    auto const meta_error = engine.bind_stateless(context);
    if (meta_error && meta_error->code == rpc::kInvalidParams)
      co_return co_await exchange.respond(rpc_error(400, id, *meta_error));
    auto const headers = [&exchange](std::string_view name) -> std::optional<std::string_view> {
      if (!exchange.has_header(name)) return std::nullopt;
      return exchange.header(name);
    };
    if (auto error = check_mirrored_headers(headers, message_view(message, context), engine.catalog()))
      co_return co_await exchange.respond(rpc_error(400, id, *error));
    if (meta_error) co_return co_await exchange.respond(rpc_error(stateless_status(meta_error->code), id, *meta_error));
    if (engine.may_stream(context)) co_return co_await serve_streaming(exchange, std::move(context), true);
    auto response = co_await engine.handle(context);
    if (!response) co_return co_await exchange.respond(status_only(202));
    int status = 200;
    if (auto const* error = response->if_contains("error"); error && error->is_object())
      status = stateless_status(static_cast<int>(error->get_object().at("code").to_number<std::int64_t>()));
    co_await exchange.respond(json_response(status, json::serialize(*response)));
  }

  // make_context moved params out of the message; rebuild the view the header check needs.
  static json::object message_view(json::object const& message, RequestContext const& context) {
    json::object view;
    view["method"] = message.at("method");
    view["params"] = context.params;
    return view;
  }

  asio::awaitable<void> serve_streaming(Exchange& exchange, RequestContext context, bool stateless) {
    auto call = std::make_shared<StreamingCall>();
    auto const session = context.session;
    call->stream = session ? session->open_stream() : std::make_shared<EventStream>("0", 1024);
    call->channel = std::make_unique<StreamChannel>(call->stream);
    call->key = protocol::id_key(context.id);
    call->in_flight = session ? session->begin_request(call->key, exchange.executor())
                              : std::make_shared<protocol::InFlightRequest>();
    call->context = std::move(context);
    call->context.channel = call->channel.get();
    Revision const revision = call->context.revision;
    auto const reader = call->stream->attach_reader();  // before the handler runs: it may disconnect us

    Engine* const engine_ptr = &engine;
    asio::co_spawn(
        exchange.executor(),
        [call, engine_ptr]() -> asio::awaitable<void> {
          // However the call ends (answered, cancelled, failed), its stream ends and the session forgets it.
          struct Finish {
            StreamingCall& call;
            ~Finish() {
              call.stream->finish();
              if (call.context.session) call.context.session->end_request(call.key);
            }
          } finish{*call};
          std::optional<json::object> response;
          std::string failure;
          try {
            response = co_await engine_ptr->handle(call->context);
          } catch (boost::system::system_error const& error) {
            if (error.code() != asio::error::operation_aborted) failure = error.what();
          } catch (std::exception const& error) {
            failure = error.what();
          }
          // A request that failed outside its handler still gets an answer on its stream.
          if (!failure.empty()) {
            logging::write(logging::Level::kError, "http", "request_failed",
                           json::object{{"correlation_id", call->context.correlation_id}, {"error", failure}});
            response = protocol::make_error(
                call->context.id, rpc::kInternalError,
                "internal error while serving this request; the server log has it under this correlation id",
                json::object{{"correlation_id", call->context.correlation_id}});
          }
          if (response) call->stream->push(json::serialize(*response));
        },
        asio::bind_cancellation_slot(call->in_flight->signal.slot(), logging::LogFailure{"streamed_request"}));

    Headers headers;
    if (!stateless && session) headers.emplace_back("Mcp-Session-Id", session->id());
    if (!co_await exchange.begin_stream(200, "text/event-stream", std::move(headers))) {
      if (stateless) call->in_flight->signal.emit(asio::cancellation_type::terminal);
      co_return;
    }
    bool const client_stayed = co_await pump(exchange, *call->stream, reader, 0, !stateless, revision);
    if (!client_stayed) {
      // Stateless: closing the stream cancels the request. Sessions: the stream stays resumable.
      if (stateless) call->in_flight->signal.emit(asio::cancellation_type::terminal);
      exchange.close_after();
      co_return;
    }
    co_await exchange.end_stream();
  }

  // Writes the events of `stream` after `after` as SSE until it finishes, this reader is displaced,
  // or the client goes away (returns false).
  asio::awaitable<bool> pump(Exchange& exchange, EventStream& stream, std::uint64_t reader, std::uint64_t after,
                             bool with_ids, Revision revision) {
    using namespace asio::experimental::awaitable_operators;
    std::string chunk;
    if (with_ids && protocol::has_sse_polling(revision)) {
      // Priming event: gives the client an id to resume from before anything else is sent.
      chunk = "id: " + stream.event_id(after) + "\nretry: " + std::to_string(options.retry_interval.count()) +
              "\ndata: \n\n";
      if (!co_await exchange.write(chunk)) co_return false;
    }
    asio::steady_timer keepalive(exchange.executor());
    for (;;) {
      keepalive.expires_after(options.keepalive_interval);
      auto next = co_await (stream.next(after, reader, exchange.executor()) || keepalive.async_wait(asio::use_awaitable));
      if (next.index() == 1) {
        if (!co_await exchange.write(": keep-alive\n\n")) co_return false;
        continue;
      }
      auto& batch = std::get<0>(next);
      chunk.clear();
      for (auto const& event : batch.events) {
        after = event.sequence;
        if (event.data.empty()) continue;
        append_event(chunk, with_ids ? stream.event_id(event.sequence) : std::string(), event.data);
      }
      if (!chunk.empty() && !co_await exchange.write(chunk)) co_return false;
      if (batch.finished || batch.detach) co_return true;
    }
  }

  // ---- GET: the standalone stream, or resuming a stream with Last-Event-ID ------------------------

  asio::awaitable<void> get(Exchange& exchange) {
    if (trim(exchange.header("MCP-Protocol-Version")) == protocol::to_string(protocol::kStatelessRevision)) {
      Response response = rpc_error(405, nullptr, rpc::kInvalidRequest,
                                    "GET is not part of protocol revision 2026-07-28; use subscriptions/listen");
      response.headers.emplace_back("Allow", "POST");
      co_return co_await exchange.respond(std::move(response));
    }
    if (!accepts(exchange.header("Accept"), "text/event-stream"))
      co_return co_await exchange.respond(
          rpc_error(406, nullptr, rpc::kInvalidRequest, "GET on the MCP endpoint needs Accept: text/event-stream"));
    std::shared_ptr<Session> session;
    if (co_await find_session(exchange, session, nullptr)) co_return;

    std::shared_ptr<EventStream> stream;
    std::uint64_t after = 0;
    bool standalone = true;
    if (auto const last = trim(exchange.header("Last-Event-ID")); !last.empty()) {
      auto const separator = last.rfind('_');
      if (separator != std::string_view::npos) {
        auto const sequence_text = last.substr(separator + 1);
        std::uint64_t sequence = 0;
        auto const [end, ec] =
            std::from_chars(sequence_text.data(), sequence_text.data() + sequence_text.size(), sequence);
        if (ec == std::errc{} && end == sequence_text.data() + sequence_text.size()) {
          auto found = session->find_stream(std::string(last.substr(0, separator)));
          if (found && found != session->standalone_stream()) {
            stream = std::move(found);
            after = sequence;
            standalone = false;
          } else if (found) {
            after = sequence;
          }
        }
      }
    }
    if (standalone) {
      stream = session->claim_standalone_stream();
      if (!stream)
        co_return co_await exchange.respond(rpc_error(409, nullptr, rpc::kInvalidRequest,
                                                      "this session already has a standalone SSE stream open"));
    }
    Headers headers{{"Mcp-Session-Id", session->id()}};
    bool stayed = false;
    if (co_await exchange.begin_stream(200, "text/event-stream", std::move(headers))) {
      // What the server asks outside any call can reach the client from now on.
      if (standalone)
        logging::write(logging::Level::kDebug, "mcp", "standalone_stream_opened", {{"session", session->id()}});
      stayed = co_await pump(exchange, *stream, stream->attach_reader(), after, true, session->revision());
    }
    if (standalone) session->release_standalone_stream();
    if (stayed) co_await exchange.end_stream();
    else exchange.close_after();
  }

  // ---- DELETE: the client ends its session -------------------------------------------------------

  asio::awaitable<void> remove(Exchange& exchange) {
    if (trim(exchange.header("MCP-Protocol-Version")) == protocol::to_string(protocol::kStatelessRevision)) {
      Response response = rpc_error(405, nullptr, rpc::kInvalidRequest,
                                    "DELETE is not part of protocol revision 2026-07-28: there is no session");
      response.headers.emplace_back("Allow", "POST");
      co_return co_await exchange.respond(std::move(response));
    }
    std::shared_ptr<Session> session;
    if (co_await find_session(exchange, session, nullptr)) co_return;
    co_await engine.sessions().end(session->id());
    session->close();
    co_await exchange.respond(status_only(204));
  }
};

McpEndpoint::McpEndpoint(Engine& engine, McpEndpointOptions options)
    : impl_(std::make_unique<Impl>(engine, std::move(options))) {}
McpEndpoint::~McpEndpoint() = default;
asio::awaitable<void> McpEndpoint::serve(Exchange& exchange) { return impl_->serve(exchange); }

std::size_t McpEndpoint::requests_in_flight() const {
  return impl_->posts_in_flight.load(std::memory_order_relaxed);
}

}  // namespace prodmcp::http
