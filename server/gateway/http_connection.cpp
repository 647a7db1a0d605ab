#include "gateway/http_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

#include "gateway/call_trace.hpp"
#include "logging/detached_failure.hpp"
#include "util/sse_reader.hpp"

namespace prodmcp::gateway {

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace rpc = protocol::error_code;
using tcp = asio::ip::tcp;
using protocol::RpcError;
using Parser = bhttp::response_parser<bhttp::string_body>;

constexpr auto kConnectTimeoutCap = std::chrono::seconds(10);
constexpr auto kTransferSlack = std::chrono::seconds(5);  // past the call's own timeout
constexpr auto kPostTimeout = std::chrono::seconds(30);    // answers, notifications, DELETE
constexpr std::size_t kMaxIdleStreams = 256;  // about the calls in flight: more would be reconnects
constexpr std::size_t kMaxHeaderBytes = 64 * 1024;
constexpr std::uint64_t kSmallBody = 1 << 20;  // what an answer to a notification may carry
constexpr auto kListenRetryMin = std::chrono::seconds(1);
constexpr auto kListenRetryMax = std::chrono::seconds(30);

std::string excerpt(std::string_view text) {
  std::string result(text.substr(0, 200));
  for (auto& c : result)
    if (c == '\n' || c == '\r') c = ' ';
  return result;
}

// The server no longer knows the session it was sent: 404, as the protocol says, or the 400 with a
// JSON-RPC error about the session that servers built on the TypeScript SDK's example answer
// ("Bad Request: No valid session ID provided").
bool forgot_session(unsigned status, std::string_view body) {
  if (status == 404) return true;
  if (status != 400) return false;
  std::string lowered(body.substr(0, 1024));
  for (auto& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lowered.find("\"error\"") != std::string::npos && lowered.find("session") != std::string::npos;
}

bool is_event_stream(Parser const& parser) {
  return parser.get()[bhttp::field::content_type].starts_with("text/event-stream");
}

// An error that a kept-alive connection the server had already closed produces on first use.
bool stale_connection(boost::system::error_code ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated;
}

// One connection to the server: plain TCP, or TLS over it (https).
class Link {
 public:
  using Tls = beast::ssl_stream<beast::tcp_stream>;
  explicit Link(std::unique_ptr<beast::tcp_stream> plain) : plain_(std::move(plain)) {}
  explicit Link(std::unique_ptr<Tls> tls) : tls_(std::move(tls)) {}

  beast::tcp_stream& tcp() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }
  auto write(bhttp::request<bhttp::string_body>& request) {
    return tls_ ? bhttp::async_write(*tls_, request, asio::as_tuple(asio::use_awaitable))
                : bhttp::async_write(*plain_, request, asio::as_tuple(asio::use_awaitable));
  }
  auto read_header(beast::flat_buffer& buffer, Parser& parser) {
    return tls_ ? bhttp::async_read_header(*tls_, buffer, parser, asio::as_tuple(asio::use_awaitable))
                : bhttp::async_read_header(*plain_, buffer, parser, asio::as_tuple(asio::use_awaitable));
  }
  auto read_some(beast::flat_buffer& buffer, Parser& parser) {
    return tls_ ? bhttp::async_read_some(*tls_, buffer, parser, asio::as_tuple(asio::use_awaitable))
                : bhttp::async_read_some(*plain_, buffer, parser, asio::as_tuple(asio::use_awaitable));
  }
  auto read(beast::flat_buffer& buffer, Parser& parser) {
    return tls_ ? bhttp::async_read(*tls_, buffer, parser, asio::as_tuple(asio::use_awaitable))
                : bhttp::async_read(*plain_, buffer, parser, asio::as_tuple(asio::use_awaitable));
  }

 private:
  std::unique_ptr<beast::tcp_stream> plain_;
  std::unique_ptr<Tls> tls_;
};

}  // namespace

struct HttpEndpoint::Impl {
  explicit Impl(std::string url) : url(std::move(url)) {
    auto const parsed = boost::urls::parse_uri(this->url);
    if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") || parsed->host().empty())
      throw std::invalid_argument("not an http:// or https:// URL: " + this->url);
    host = parsed->host_address();
    bool const secure = parsed->scheme() == "https";
    port = parsed->has_port() ? std::string(parsed->port()) : secure ? "443" : "80";
    if (secure) {
      // The system's trusted CAs (SSL_CERT_FILE / SSL_CERT_DIR point elsewhere), and the name checked.
      tls_context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
      tls_context->set_default_verify_paths();
      tls_context->set_verify_mode(asio::ssl::verify_peer);
    }
    host_header = std::string(parsed->encoded_host_and_port());  // "[::1]:8000" for an IPv6 address
    target = std::string(parsed->encoded_path());
    if (target.empty()) target = "/";
    if (parsed->has_query()) target += "?" + std::string(parsed->encoded_query());
  }

  std::string const url;
  std::string host, port, host_header, target;
  std::unique_ptr<asio::ssl::context> tls_context;  // https only

  std::mutex mutex;
  // Kept-alive connections, by the io_context they belong to (a worker's, or the gateway's).
  std::map<asio::execution_context*, std::vector<std::unique_ptr<Link>>> idle;
  bool closed = false;

  // A pooled connection of the calling coroutine's io_context, or a new one. Throws
  // boost::system::system_error.
  asio::awaitable<std::unique_ptr<Link>> take(bool& reused, std::chrono::milliseconds timeout) {
    auto const here = co_await asio::this_coro::executor;
    {
      std::lock_guard lock(mutex);
      auto& streams = idle[&asio::query(here, asio::execution::context)];
      while (!streams.empty()) {
        auto stream = std::move(streams.back());
        streams.pop_back();
        if (stream->tcp().socket().is_open()) {
          reused = true;
          co_return stream;
        }
      }
    }
    reused = false;
    tcp::resolver resolver(here);
    auto const endpoints = co_await resolver.async_resolve(host, port, asio::use_awaitable);
    auto plain = std::make_unique<beast::tcp_stream>(here);
    plain->expires_after(std::min<std::chrono::steady_clock::duration>(timeout, kConnectTimeoutCap));
    co_await plain->async_connect(endpoints, asio::use_awaitable);
    plain->socket().set_option(tcp::no_delay(true));
    if (!tls_context) co_return std::make_unique<Link>(std::move(plain));
    auto tls = std::make_unique<Link::Tls>(std::move(*plain), *tls_context);
    if (!SSL_set_tlsext_host_name(tls->native_handle(), host.c_str()))  // SNI
      throw boost::system::system_error(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
    tls->set_verify_callback(asio::ssl::host_name_verification(host));
    co_await tls->async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
    co_return std::make_unique<Link>(std::move(tls));
  }

  void give_back(std::unique_ptr<Link> stream) {
    stream->tcp().expires_never();
    std::lock_guard lock(mutex);
    if (closed) return;
    auto& streams = idle[&asio::query(stream->tcp().get_executor(), asio::execution::context)];
    if (streams.size() < kMaxIdleStreams) streams.push_back(std::move(stream));
  }
};

HttpEndpoint::HttpEndpoint(std::string url) : impl_(std::make_unique<Impl>(std::move(url))) {}
HttpEndpoint::~HttpEndpoint() = default;
std::string const& HttpEndpoint::url() const { return impl_->url; }

void HttpEndpoint::close() {
  std::lock_guard lock(impl_->mutex);
  impl_->closed = true;
  impl_->idle.clear();  // nothing waits on an idle connection: closing it from here is safe
}

struct HttpConnection::State : std::enable_shared_from_this<State> {
  State(asio::any_io_executor executor, Options options, Events events)
      : executor(std::move(executor)),
        options(std::move(options)),
        events(std::move(events)),
        net(this->options.endpoint->impl()) {
    if (auto const space = this->options.resume.find(' '); space != std::string::npos) {
      session_id = this->options.resume.substr(0, space);
      protocol_version = this->options.resume.substr(space + 1);
    }
  }

  // One request in flight: its inbox, and (on its executor only) the stream it uses, to abort it.
  struct Exchange {
    asio::any_io_executor executor;  // the caller's: its I/O stays on the caller's thread
    std::shared_ptr<Inbox> inbox;
    Link* stream = nullptr;
    bool aborted = false;
    void deliver(json::object message) const { inbox->try_send(boost::system::error_code{}, std::move(message)); }
    void fail(std::string text, bool retryable) const { deliver(transport_failure_message(std::move(text), retryable)); }
  };

  asio::any_io_executor const executor;
  Options const options;
  Events const events;
  HttpEndpoint::Impl& net;  // options.endpoint keeps it
  std::atomic<std::int64_t> next_id{1};

  mutable std::mutex mutex;
  std::string session_id;        // from the initialize answer
  std::string protocol_version;  // negotiated at initialize
  std::map<std::int64_t, std::shared_ptr<Exchange>> calls;
  bool ending = false, ended = false;
  std::string end_message;

  Link* listener = nullptr;  // on `executor` only

  std::string session() const {
    std::lock_guard lock(mutex);
    return session_id;
  }

  bhttp::request<bhttp::string_body> make_request(bhttp::verb verb, std::string body,
                                                  std::string const& correlation_id) const {
    bhttp::request<bhttp::string_body> request{verb, net.target, 11};
    request.set(bhttp::field::host, net.host_header);
    request.set(bhttp::field::user_agent, "prodmcp-gateway/" PRODMCP_VERSION);
    request.set(bhttp::field::accept, verb == bhttp::verb::get ? "text/event-stream" : "application/json, text/event-stream");
    if (verb == bhttp::verb::post) request.set(bhttp::field::content_type, "application/json");
    {
      std::lock_guard lock(mutex);
      if (!session_id.empty()) request.set("Mcp-Session-Id", session_id);
      if (!protocol_version.empty()) request.set("MCP-Protocol-Version", protocol_version);
    }
    if (!correlation_id.empty()) request.set("X-Correlation-ID", correlation_id);
    for (auto const& [name, value] : options.headers) request.set(name, value);
    request.keep_alive(true);
    request.body() = std::move(body);
    request.prepare_payload();
    return request;
  }

  std::string const& url() const { return net.url; }

  std::string describe(boost::system::error_code ec) const {
    if (ec == beast::error::timeout) return "no answer from " + url() + " in time";
    return url() + ": " + ec.message();
  }

  // Sends `request` and reads the response header into `parser` (made here, with a body limit of
  // `body_limit`); one more try on a fresh connection when a pooled one turns out closed. Returns
  // the stream, or null after reporting through `failed`.
  template <class Failed>
  asio::awaitable<std::unique_ptr<Link>> send(bhttp::request<bhttp::string_body>& request,
                                               beast::flat_buffer& buffer, std::optional<Parser>& parser,
                                               std::optional<std::uint64_t> body_limit,
                                               std::chrono::milliseconds timeout, Exchange* exchange,
                                               Failed const& failed) {
    for (int attempt = 0;; ++attempt) {
      buffer.clear();
      parser.emplace();
      parser->body_limit(body_limit ? boost::optional<std::uint64_t>(*body_limit) : boost::none);
      parser->header_limit(kMaxHeaderBytes);
      bool reused = false;
      std::unique_ptr<Link> stream;
      boost::system::error_code connect_error;
      try {
        stream = co_await net.take(reused, timeout);
      } catch (boost::system::system_error const& error) {
        connect_error = error.code();
      }
      if (connect_error) {
        failed("cannot reach " + url() + ": " + connect_error.message());
        co_return nullptr;
      }
      if (exchange) {
        if (exchange->aborted) co_return nullptr;
        exchange->stream = stream.get();
      }
      stream->tcp().expires_after(timeout);
      auto [write_error, written] = co_await stream->write(request);
      (void)written;
      boost::system::error_code ec = write_error;
      if (!ec) {
        auto [read_error, read] =
            co_await stream->read_header(buffer, *parser);
        (void)read;
        ec = read_error;
      }
      if (!ec) co_return stream;
      if (exchange) {
        exchange->stream = nullptr;
        if (exchange->aborted) co_return nullptr;
      }
      if (reused && attempt == 0 && stale_connection(ec)) continue;
      failed(describe(ec));
      co_return nullptr;
    }
  }

  // Ends the connection (once): the owner is told, then every call waiting fails.
  void end(ConnectionEnd const& how, std::string message) {
    {
      std::lock_guard lock(mutex);
      if (ending) return;
      ending = true;
    }
    if (events.exited) events.exited(how);
    std::map<std::int64_t, std::shared_ptr<Exchange>> failed;
    {
      std::lock_guard lock(mutex);
      ended = true;
      end_message = message;
      failed.swap(calls);
    }
    for (auto const& [id, exchange] : failed) exchange->fail(message, true);
    asio::post(executor, [self = shared_from_this()] {
      if (self->listener) self->listener->tcp().cancel();
    });
  }

  void session_lost(std::string const& lost, unsigned status) {
    auto const short_id = lost.substr(0, 8);
    auto const http = "HTTP " + std::to_string(status);
    end(ConnectionEnd{http + " for session " + short_id, true,
                      json::object{{"exit", "the server no longer knows session " + short_id + " (" + http + ")"},
                                   {"url", url()}}},
        "the upstream server no longer knows this session (" + http +
            ": it restarted or expired it); a new session starts with the next call");
  }

  // What a response says as JSON-RPC: one message or a batch of them.
  static std::vector<json::object> messages_in(std::string_view body) {
    std::vector<json::object> messages;
    boost::system::error_code ec;
    json::parse_options options;
    options.max_depth = 256;
    auto value = json::parse(body, ec, json::storage_ptr(), options);
    if (ec) return messages;
    if (value.is_object()) messages.push_back(std::move(value.get_object()));
    if (value.is_array())
      for (auto& item : value.get_array())
        if (item.is_object()) messages.push_back(std::move(item.get_object()));
    return messages;
  }

  // Reads a response's event stream until it ends, breaks (its error is returned), or
  // `on_message`, given each JSON-RPC message of each event, returns false.
  template <class OnMessage>
  asio::awaitable<boost::system::error_code> read_events(Link& stream, beast::flat_buffer& buffer, Parser& parser,
                                                         OnMessage on_message) {
    util::SseReader reader(options.max_message_bytes);
    bool more = true;
    while (more && !parser.is_done()) {
      auto [ec, n] = co_await stream.read_some(buffer, parser);
      (void)n;
      if (ec) co_return ec;
      reader.feed(
          parser.get().body(),
          [&](util::SseEvent& event) {
            for (auto& message : messages_in(event.data))
              if (more) more = on_message(std::move(message));
          },
          [&] {
            if (events.protocol_problem) events.protocol_problem("an event over the message size limit was skipped");
          });
      parser.get().body().clear();
    }
    co_return boost::system::error_code{};
  }

  void remember_initialize(Parser const& parser, json::object const& message) {
    std::lock_guard lock(mutex);
    if (auto const id = parser.get()["Mcp-Session-Id"]; !id.empty()) session_id = std::string(id);
    auto const* result = message.if_contains("result");
    auto const* version = result && result->is_object() ? result->get_object().if_contains("protocolVersion") : nullptr;
    if (version && version->is_string()) protocol_version = std::string(version->get_string());
  }

  static bool is_response(json::object const& message) {
    return !message.contains("method") && (message.contains("result") || message.contains("error"));
  }

  // One request: POSTed, its answer (a JSON body or an event stream) passed to the caller's inbox.
  asio::awaitable<void> exchange(std::shared_ptr<Exchange> call, std::string body, std::string correlation_id,
                                 bool initialize, std::chrono::milliseconds timeout) {
    auto self = shared_from_this();
    auto request = make_request(bhttp::verb::post, std::move(body), correlation_id);
    beast::flat_buffer buffer;
    std::optional<Parser> response;
    auto const failed = [&](std::string text) { call->fail(std::move(text), true); };
    auto const transfer_timeout = timeout + std::chrono::duration_cast<std::chrono::milliseconds>(kTransferSlack);
    auto stream = co_await send(request, buffer, response, std::nullopt, transfer_timeout, call.get(), failed);
    if (!stream) co_return;
    auto& parser = *response;
    auto const status = parser.get().result_int();
    auto const sent_session = std::string(request["Mcp-Session-Id"]);
    if (status == 404 && !sent_session.empty()) {  // (a 400 that says so is read below)
      call->stream = nullptr;
      session_lost(sent_session, status);
      co_return;
    }
    bool answered = false;
    std::string problem;
    auto take = [&](json::object message) {
      if (answered) return;
      if (is_response(message)) {
        answered = true;
        if (initialize) remember_initialize(parser, message);
      }
      call->deliver(std::move(message));
    };
    if (status == 200 && is_event_stream(parser)) {
      auto const ec = co_await read_events(*stream, buffer, parser, [&](json::object message) {
        take(std::move(message));
        return !answered;
      });
      if (ec && !call->aborted) problem = "the event stream of " + url() + " broke before the answer: " + describe(ec);
      if (!answered && problem.empty() && !call->aborted)
        problem = "the event stream of " + url() + " ended before the server answered";
    } else {
      while (!parser.is_done()) {
        auto [ec, n] = co_await stream->read_some(buffer, parser);
        (void)n;
        if (ec) {
          if (!call->aborted) problem = describe(ec);
          break;
        }
        if (parser.get().body().size() > options.max_message_bytes) {
          problem = "the answer of " + url() + " exceeds " + std::to_string(options.max_message_bytes) + " bytes";
          break;
        }
      }
      if (problem.empty() && !sent_session.empty() && forgot_session(status, parser.get().body())) {
        call->stream = nullptr;
        session_lost(sent_session, status);
        co_return;
      }
      bool const refused = status == 401 || status == 403;  // its JSON-RPC error would hide whose credentials
      if (problem.empty() && !refused)
        for (auto& message : messages_in(parser.get().body())) take(std::move(message));
      if (problem.empty()) {
        if (!answered) {
          auto const what = "HTTP " + std::to_string(status) + " from " + url();
          if (refused)
            problem = what + ": the server refused the gateway's credentials (the headers of its [upstreams] table): " +
                      excerpt(parser.get().body());
          else if (status >= 300)
            problem = what + ": " + excerpt(parser.get().body());
          else
            problem = what + " without a JSON-RPC answer: " + excerpt(parser.get().body());
        }
      }
    }
    call->stream = nullptr;
    if (!problem.empty() && !call->aborted) call->fail(problem, status != 401 && status != 403);
    if (parser.is_done() && parser.keep_alive()) net.give_back(std::move(stream));
  }

  // A message that needs no answer from the server: a notification, or our answer to its request.
  asio::awaitable<void> post_message(std::string body) {
    auto self = shared_from_this();
    auto request = make_request(bhttp::verb::post, std::move(body), {});
    beast::flat_buffer buffer;
    std::optional<Parser> response;
    std::string failure;
    auto const failed = [&](std::string text) { failure = std::move(text); };
    auto stream = co_await send(request, buffer, response, kSmallBody, kPostTimeout, nullptr, failed);
    if (stream) {
      auto& parser = *response;
      auto [ec, n] = co_await stream->read(buffer, parser);
      (void)n;
      if (ec) failure = describe(ec);
      else if (parser.get().result_int() >= 300)
        failure = "HTTP " + std::to_string(parser.get().result_int()) + ": " + excerpt(parser.get().body());
      if (!ec && parser.keep_alive()) net.give_back(std::move(stream));
    }
    if (!failure.empty() && events.protocol_problem)
      events.protocol_problem("a message to the server was not taken: " + failure);
  }

  void post(json::object const& message) {
    if (alive()) asio::co_spawn(executor, post_message(json::serialize(message)), logging::LogFailure{"http_upstream_post"});
  }

  bool alive() const {
    std::lock_guard lock(mutex);
    return !ended;
  }

  // What the server sends outside any call, on the GET stream: notifications go to the owner; a
  // request goes to the one client this session belongs to, where there is one (a client
  // session's own remote session), and is refused on the supervised session, which no client owns.
  void unsolicited(json::object message) {
    auto const* method = message.if_contains("method");
    if (!method || !method->is_string()) return;
    auto const* id = message.if_contains("id");
    if (!id || id->is_null()) {
      if (events.notification) events.notification(message);
      return;
    }
    if (*method == "ping") return post(protocol::make_result(*id, {}));
    if (!events.unsolicited_request)
      return post(protocol::make_error(*id, rpc::kInternalError,
                                       std::string(method->get_string()) +
                                           " arrived on the server's own stream, outside any call through the "
                                           "gateway, so no client can answer it"));
    answer_unsolicited(executor, events.unsolicited_request, std::move(message),
                       [self = shared_from_this()](json::object answer) { self->post(answer); });
  }

  // The GET stream, kept open (and reopened) while the session lives; a server without one says 405.
  asio::awaitable<void> listen() {
    auto self = shared_from_this();
    asio::steady_timer timer(executor);
    auto pause = std::chrono::duration_cast<std::chrono::milliseconds>(kListenRetryMin);
    while (alive()) {
      auto request = make_request(bhttp::verb::get, {}, {});
      beast::flat_buffer buffer;
      std::optional<Parser> response;
      std::string failure;
      auto const failed = [&](std::string text) { failure = std::move(text); };
      auto stream = co_await send(request, buffer, response, std::nullopt, kPostTimeout, nullptr, failed);
      if (stream) {
        auto& parser = *response;
        auto const status = parser.get().result_int();
        if (status == 405) co_return;  // the server sends nothing on its own
        std::string const sent_session(request["Mcp-Session-Id"]);
        // A 400 may be a forgotten session: its (small) body says.
        if (auto const length = parser.content_length(); status == 400 && !sent_session.empty() && length &&
                                                          *length <= kSmallBody)
          co_await stream->read(buffer, parser);
        if (!sent_session.empty() && forgot_session(status, parser.get().body())) {
          session_lost(sent_session, status);
          co_return;
        }
        if (status == 200 && is_event_stream(parser)) {
          stream->tcp().expires_never();
          listener = stream.get();
          pause = std::chrono::duration_cast<std::chrono::milliseconds>(kListenRetryMin);
          co_await read_events(*stream, buffer, parser, [&](json::object message) {
            unsolicited(std::move(message));
            return true;
          });
          listener = nullptr;
        } else if (events.protocol_problem) {
          events.protocol_problem("the server's stream for its own messages answered HTTP " + std::to_string(status));
        }
      }
      if (!alive()) co_return;
      timer.expires_after(pause);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      pause = std::min(pause * 2, std::chrono::duration_cast<std::chrono::milliseconds>(kListenRetryMax));
    }
  }

  // make_request puts the session's id on it.
  asio::awaitable<void> delete_session(std::chrono::milliseconds grace) {
    auto self = shared_from_this();
    auto request = make_request(bhttp::verb::delete_, {}, {});
    beast::flat_buffer buffer;
    std::optional<Parser> response;
    std::string ignored;
    auto const failed = [&](std::string text) { ignored = std::move(text); };
    auto stream = co_await send(request, buffer, response, kSmallBody, grace, nullptr, failed);
    if (stream) co_await stream->read(buffer, *response);
  }
};

std::shared_ptr<HttpConnection> HttpConnection::open(asio::any_io_executor executor, Options options, Events events) {
  auto state = std::make_shared<State>(std::move(executor), std::move(options), std::move(events));
  return std::shared_ptr<HttpConnection>(new HttpConnection(std::move(state)));
}

HttpConnection::~HttpConnection() {
  if (alive()) stop(std::chrono::milliseconds(0));
}

bool HttpConnection::alive() const { return state_->alive(); }

std::size_t HttpConnection::in_flight() const {
  std::lock_guard lock(state_->mutex);
  return state_->calls.size();
}

json::object HttpConnection::identity() const {
  json::object identity{{"url", state_->url()}};
  if (auto const session = state_->session(); !session.empty()) identity["upstream_session"] = session.substr(0, 8);
  return identity;
}

void HttpConnection::notify(std::string method, json::object params) {
  state_->post(protocol::make_notification(method, std::move(params)));
}

std::string HttpConnection::resume_token() const {
  std::lock_guard lock(state_->mutex);
  if (state_->session_id.empty()) return {};
  return state_->session_id + " " + state_->protocol_version;
}

void HttpConnection::detach(std::chrono::milliseconds) {
  state_->end(ConnectionEnd{"the gateway left the session to other replicas", false,
                            json::object{{"url", state_->url()}}},
              "this replica no longer uses its session with the upstream server");
}

void HttpConnection::stop(std::chrono::milliseconds grace) {
  auto const state = state_;
  if (!state->session().empty() && state->alive())
    asio::co_spawn(state->executor, state->delete_session(std::max(grace, std::chrono::milliseconds(500))),
                   logging::LogFailure{"http_upstream_call"});
  state->end(ConnectionEnd{"the gateway ended the session", false, json::object{{"url", state->url()}}},
             "the gateway is ending its session with the upstream server");
}

asio::awaitable<json::object> HttpConnection::request(std::string method, json::object params,
                                                      std::chrono::milliseconds timeout, CallHooks const& hooks) {
  auto const state = state_;
  auto call = std::make_shared<State::Exchange>();
  call->executor = co_await asio::this_coro::executor;
  call->inbox = std::make_shared<Inbox>(call->executor, kInboxCapacity);
  auto const id = state->next_id.fetch_add(1);
  {
    std::lock_guard lock(state->mutex);
    if (state->ended) throw TransportFailure{{rpc::kInternalError, state->end_message}};
    state->calls[id] = call;
  }
  if (hooks.legs) hooks.legs->sent(id);
  // However the call ends, its exchange stops: a timed-out or cancelled call's stream is closed.
  struct Forget {
    std::shared_ptr<State> state;
    std::shared_ptr<State::Exchange> call;
    std::int64_t id;
    ~Forget() {
      {
        std::lock_guard lock(state->mutex);
        state->calls.erase(id);
      }
      asio::post(call->executor, [call = call] {
        call->aborted = true;
        if (call->stream) call->stream->tcp().cancel();
      });
    }
  } forget{state, call, id};
  bool const initialize = method == "initialize";
  auto body = json::serialize(outgoing_request(method, id, std::move(params), hooks));
  // On the caller's own io_context: no thread hop per call.
  asio::co_spawn(call->executor, state->exchange(call, std::move(body), hooks.correlation_id, initialize, timeout),
                 logging::LogFailure{"http_upstream_stream"});
  std::function<void(json::object)> const send = [state](json::object message) { state->post(message); };
  auto result = co_await await_answer(*call->inbox, method, id, timeout, hooks, send);
  if (initialize && state->options.listen) asio::co_spawn(state->executor, state->listen(), logging::LogFailure{"http_upstream_listen"});
  co_return result;
}

}  // namespace prodmcp::gateway
