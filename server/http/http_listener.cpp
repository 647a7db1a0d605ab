// The only translation unit that includes Beast: it turns bytes on a socket into Exchanges.
#include "http/http_listener.hpp"

#include "http/correlation.hpp"
#include "logging/detached_failure.hpp"
#include "logging/log.hpp"
#include "logging/log_budget.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <exception>
#include <iostream>
#include <memory_resource>
#include <mutex>
#include <tuple>
#include <unordered_map>

namespace prodmcp::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
// What one read of a request asks the socket for (Beast's own read size).
constexpr std::size_t kReadSize = 1536;

std::string canonical_address(std::string_view text) {
  error_code ec;
  auto const address = asio::ip::make_address(std::string(text), ec);
  return ec ? std::string(text) : address.to_string();
}

Response json_response(int status, std::string body) {
  return Response{status, "application/json", std::move(body), {}};
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool iequals(std::string_view a, std::string_view b) { return beast::iequals(a, b); }  // ASCII, no locale

bool is_json_content_type(std::string_view content_type) {
  return iequals(trim(content_type.substr(0, content_type.find(';'))), "application/json");
}

namespace {

std::string error_body(std::string_view message, int code = -32600) {
  // A JSON-RPC error without id: what MCP clients expect even from transport-level failures.
  std::string body = R"({"jsonrpc":"2.0","id":null,"error":{"code":)" + std::to_string(code) + R"(,"message":")";
  body += message;  // callers pass plain ASCII without quotes
  body += "\"}}";
  return body;
}

// The deadline of a connection's current read or write, enforced by one timer per connection.
// Starting or stopping a deadline reads the clock and touches no timer: the timer wakes at most
// every `tick` (the shortest limit, so it is never late for a deadline set after it was armed),
// re-arms itself for the current deadline, and is re-armed early only for a deadline sooner than it.
// When a deadline passes, the socket's pending operations are cancelled and the socket stays open,
// so the client can still be told (408).
class ConnectionDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  ConnectionDeadline(tcp::socket& socket, std::chrono::milliseconds tick)
      : state_(std::make_shared<State>(socket, tick)) {}
  ~ConnectionDeadline() {
    state_->socket = nullptr;
    state_->timer.cancel();
  }
  ConnectionDeadline(ConnectionDeadline const&) = delete;
  ConnectionDeadline& operator=(ConnectionDeadline const&) = delete;

  void start(std::chrono::milliseconds limit) {
    auto const now = Clock::now();
    state_->deadline = now + limit;
    state_->active = true;
    state_->expired = false;
    if (!state_->running || state_->deadline < state_->wakeup) schedule(state_, std::min(state_->deadline, now + state_->tick));
  }
  void stop() { state_->active = false; }
  // Whether the last deadline passed and cancelled the operation under it.
  bool expired() const { return state_->expired; }

 private:
  struct State {
    State(tcp::socket& socket, std::chrono::milliseconds tick)
        : socket(&socket), timer(socket.get_executor()), tick(tick) {}
    tcp::socket* socket;  // null once the connection is gone
    asio::steady_timer timer;
    std::chrono::milliseconds const tick;
    Clock::time_point deadline{};
    Clock::time_point wakeup{};  // when the pending wait ends
    bool active = false;         // an operation runs under `deadline`
    bool expired = false;
    bool running = false;        // a wait is pending (or its handler queued)
  };

  static void schedule(std::shared_ptr<State> const& state, Clock::time_point at) {
    state->running = true;
    state->wakeup = at;
    state->timer.expires_at(at);  // a wait still pending completes with operation_aborted and does nothing
    state->timer.async_wait([state](error_code ec) { on_wakeup(state, ec); });
  }

  static void on_wakeup(std::shared_ptr<State> const& state, error_code ec) {
    if (ec || !state->socket) return;
    if (!state->active) {
      state->running = false;
      return;
    }
    auto const now = Clock::now();
    if (now < state->deadline) return schedule(state, std::min(state->deadline, now + state->tick));
    state->running = false;
    state->active = false;
    state->expired = true;
    error_code ignored;
    state->socket->cancel(ignored);
  }

  std::shared_ptr<State> state_;
};

// Header fields live in a per-connection arena that is emptied between requests: parsing a request
// and building its response allocate nothing from the heap for their headers.
using FieldAllocator = std::pmr::polymorphic_allocator<char>;
using Fields = bhttp::basic_fields<FieldAllocator>;
using Request = bhttp::request<bhttp::string_body, Fields>;
using RequestParser = bhttp::request_parser<bhttp::string_body, FieldAllocator>;
template <typename Body>
using ResponseOf = bhttp::response<Body, Fields>;

template <typename Body>
ResponseOf<Body> make_response(std::pmr::memory_resource& arena, unsigned status, unsigned version) {
  ResponseOf<Body> response{std::piecewise_construct, std::make_tuple(), std::make_tuple(FieldAllocator(&arena))};
  response.result(status);
  response.version(version);
  return response;
}

class BeastExchange final : public Exchange {
 public:
  BeastExchange(tcp::socket& socket, ConnectionDeadline& deadline, std::pmr::memory_resource& arena, Request& request,
                std::string_view remote, ListenerLimits const& limits)
      : socket_(socket), deadline_(deadline), arena_(arena), request_(request), remote_(remote), limits_(limits) {
    std::string_view const target = request_.target();
    path_ = target.substr(0, target.find('?'));
    keep_alive_ = request_.keep_alive();
  }

  std::string_view method() const override { return request_.method_string(); }
  std::string_view target() const override { return request_.target(); }
  std::string_view path() const override { return path_; }
  // A walk over the few fields a request has: cheaper than Beast's case-folding tree search, and
  // the header limit bounds it.
  std::string_view header(std::string_view name) const override {
    auto const* field = find(name);
    return field ? std::string_view(field->value()) : std::string_view{};
  }
  bool has_header(std::string_view name) const override { return find(name) != nullptr; }
  std::string_view body() const override { return request_.body(); }
  std::string_view remote_address() const override { return remote_; }
  asio::any_io_executor executor() const override { return socket_.get_executor(); }
  ExchangeNotes& notes() override { return notes_; }

  asio::awaitable<void> respond(Response response) override {
    status_ = response.status;
    auto message = make_response<bhttp::string_body>(arena_, static_cast<unsigned>(response.status), request_.version());
    if (!response.content_type.empty()) message.set(bhttp::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) message.set(name, value);
    if (!notes_.correlation_id.empty()) {
      message.set(kCorrelationHeader, notes_.correlation_id);
      if (response.status >= 400 && response.content_type == "application/json")
        response.body = with_correlation_data(std::move(response.body), notes_.correlation_id);
    }
    message.body() = std::move(response.body);
    message.keep_alive(keep_alive_);
    message.prepare_payload();
    deadline_.start(limits_.write_timeout);
    auto [ec, n] = co_await bhttp::async_write(socket_, message, kNoThrow);
    deadline_.stop();
    responded_ = true;
    if (ec) keep_alive_ = false;
  }

  asio::awaitable<bool> begin_stream(int status, std::string_view content_type, Headers headers) override {
    status_ = status;
    auto message = make_response<bhttp::empty_body>(arena_, static_cast<unsigned>(status), request_.version());
    message.set(bhttp::field::content_type, content_type);
    if (!notes_.correlation_id.empty()) message.set(kCorrelationHeader, notes_.correlation_id);
    message.set(bhttp::field::cache_control, "no-cache");
    message.set("X-Accel-Buffering", "no");
    for (auto& [name, value] : headers) message.set(name, value);
    message.keep_alive(keep_alive_);
    message.chunked(true);
    bhttp::response_serializer<bhttp::empty_body, Fields> serializer{message};
    deadline_.start(limits_.write_timeout);
    auto [ec, n] = co_await bhttp::async_write_header(socket_, serializer, kNoThrow);
    deadline_.stop();
    responded_ = true;
    streaming_ = !ec;
    if (ec) keep_alive_ = false;
    co_return !ec;
  }

  asio::awaitable<bool> write(std::string_view chunk) override {
    if (!streaming_) co_return false;
    if (chunk.empty()) co_return true;  // an empty chunk would end the body
    deadline_.start(limits_.write_timeout);
    auto [ec, n] = co_await asio::async_write(socket_, bhttp::make_chunk(asio::buffer(chunk)), kNoThrow);
    deadline_.stop();
    if (ec) streaming_ = false, keep_alive_ = false;
    co_return !ec;
  }

  asio::awaitable<void> end_stream() override {
    if (!streaming_) co_return;
    streaming_ = false;
    deadline_.start(limits_.write_timeout);
    auto [ec, n] = co_await asio::async_write(socket_, bhttp::make_chunk_last(), kNoThrow);
    deadline_.stop();
    if (ec) keep_alive_ = false;
  }

  void close_after() override { keep_alive_ = false; }

  bool responded() const { return responded_; }
  Fields::value_type const* find(std::string_view name) const {
    for (auto const& field : request_)
      if (iequals(field.name_string(), name)) return &field;
    return nullptr;
  }
  bool keep_alive() const { return keep_alive_ && !streaming_; }
  int status() const { return status_; }

 private:
  tcp::socket& socket_;
  ConnectionDeadline& deadline_;
  std::pmr::memory_resource& arena_;
  Request& request_;
  std::string_view remote_;
  ListenerLimits const& limits_;
  std::string_view path_;
  bool keep_alive_ = true;
  bool responded_ = false;
  bool streaming_ = false;
  int status_ = 0;
  ExchangeNotes notes_;
};

}  // namespace

struct Listener::Impl : std::enable_shared_from_this<Impl> {
  Impl(runtime::WorkerPool& pool, ListenerLimits limits)
      : pool(pool),
        limits(limits),
        too_large_message("request body exceeds MAX_REQUEST_SIZE (" + std::to_string(limits.max_body_bytes) +
                          " bytes)"),
        header_timeout_message("the request line and headers did not arrive within limits.header_timeout_ms (" +
                               std::to_string(limits.header_timeout.count()) + " ms)"),
        body_timeout_message("the request body did not arrive within limits.body_timeout_ms (" +
                             std::to_string(limits.body_timeout.count()) + " ms)") {}

  runtime::WorkerPool& pool;
  ListenerLimits const limits;
  std::string const too_large_message;
  std::string const header_timeout_message;
  std::string const body_timeout_message;
  std::unordered_map<std::string, Handler*> routes;
  ExchangeObserver* observer = nullptr;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::mutex acceptors_mutex;
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> draining{false};
  logging::LogBudget accept_failures{1};
  std::mutex per_address_mutex;
  std::unordered_map<std::string, std::size_t> per_address;  // open connections by remote address

  // Counts a connection from `address`; false (nothing counted) when it has too many open.
  bool admit_address(std::string const& address) {
    if (limits.max_connections_per_address == 0 ||
        std::find(limits.unlimited_addresses.begin(), limits.unlimited_addresses.end(), address) !=
            limits.unlimited_addresses.end())
      return true;
    std::lock_guard lock(per_address_mutex);
    auto& open = per_address[address];
    if (open >= limits.max_connections_per_address) {
      if (open == 0) per_address.erase(address);
      return false;
    }
    ++open;
    return true;
  }
  void release_address(std::string const& address) {
    std::lock_guard lock(per_address_mutex);
    auto const found = per_address.find(address);
    if (found != per_address.end() && --found->second == 0) per_address.erase(found);
  }

  asio::awaitable<void> accept_loop(tcp::acceptor& acceptor) {
    auto self = shared_from_this();
    asio::steady_timer backoff(acceptor.get_executor());
    for (;;) {
      auto& context = pool.next();
      auto [ec, socket] = co_await acceptor.async_accept(context, kNoThrow);
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      if (ec) {
        // Out of file descriptors and similar: wait a little instead of spinning, and say so at
        // most once a second.
        if (auto const left_out = accept_failures.admit())
          logging::write(logging::Level::kError, "http", "accept_failed",
                         boost::json::object{{"error", ec.message()}, {"left_out", *left_out},
                                             {"hint", "raise the descriptor limit (ulimit -n) or lower "
                                                      "limits.max_connections"}});
        backoff.expires_after(std::chrono::milliseconds(50));
        co_await backoff.async_wait(kNoThrow);
        continue;
      }
      auto executor = socket.get_executor();
      asio::co_spawn(executor, serve_connection(std::move(socket)), logging::LogFailure{"http_connection"});
    }
  }

  // "no such path; this port serves /health, /metrics, /ready": true on the MCP and the admin port.
  std::string not_found_message() const {
    std::vector<std::string> paths;
    for (auto const& [path, handler] : routes) paths.push_back(path);
    std::sort(paths.begin(), paths.end());
    std::string message = "no such path; this port serves";
    for (std::size_t i = 0; i < paths.size(); ++i) message += (i ? ", " : " ") + paths[i];
    return message;
  }

  // Runs one read with kNoThrow under `limit`. A deadline that passed while this thread was busy
  // elsewhere, with the bytes already here, lets reading go on (up to three times, a second each);
  // otherwise the read's error becomes beast::error::timeout.
  template <typename StartRead>
  static asio::awaitable<std::tuple<error_code, std::size_t>> read_within(tcp::socket& socket,
                                                                          ConnectionDeadline& deadline,
                                                                          std::chrono::milliseconds limit,
                                                                          StartRead start) {
    for (int late = 0;; ++late) {
      deadline.start(limit);
      auto [ec, n] = co_await start();
      deadline.stop();
      if (!deadline.expired() || ec != asio::error::operation_aborted) co_return std::tuple{ec, n};
      error_code ignored;
      if (late == 3 || socket.available(ignored) == 0) co_return std::tuple{error_code(beast::error::timeout), n};
      limit = std::chrono::milliseconds(1000);
    }
  }

  asio::awaitable<void> reply_and_close(tcp::socket& socket, ConnectionDeadline& deadline, bhttp::status status,
                                        std::string_view message, unsigned version, std::string_view retry_after = {}) {
    bhttp::response<bhttp::string_body> response{status, version};
    response.set(bhttp::field::content_type, "application/json");
    if (!retry_after.empty()) response.set(bhttp::field::retry_after, retry_after);
    response.body() = error_body(message);
    response.keep_alive(false);
    response.prepare_payload();
    deadline.start(limits.write_timeout);
    co_await bhttp::async_write(socket, response, kNoThrow);
    deadline.stop();
    error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    // Closing with unread input makes the kernel send RST, which can destroy the reply before the
    // client reads it; discard (never store) what is still arriving, briefly and boundedly.
    std::array<char, 16 * 1024> sink;
    std::size_t discarded = 0;
    deadline.start(std::chrono::seconds(1));
    while (discarded < (8u << 20) && !deadline.expired()) {
      auto [ec, n] = co_await socket.async_read_some(asio::buffer(sink), kNoThrow);
      if (ec) break;
      discarded += n;
    }
    deadline.stop();
  }

  asio::awaitable<void> serve_connection(tcp::socket socket) {
    auto self = shared_from_this();
    struct Count {
      std::atomic<std::size_t>& n;
      ~Count() { n.fetch_sub(1, std::memory_order_relaxed); }
    } count{connections};
    std::size_t const open = connections.fetch_add(1, std::memory_order_relaxed) + 1;

    error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    std::string remote;
    if (auto endpoint = socket.remote_endpoint(ec); !ec) remote = endpoint.address().to_string();
    ConnectionDeadline deadline(socket, std::min({limits.header_timeout, limits.body_timeout, limits.idle_timeout,
                                                  limits.write_timeout}));
    if (open > limits.max_connections) {
      co_await reply_and_close(socket, deadline, bhttp::status::service_unavailable,
                               "the server has reached its connection limit; retry shortly", 11, "1");
      co_return;
    }
    if (!admit_address(remote)) {
      co_await reply_and_close(socket, deadline, bhttp::status::service_unavailable,
                               "too many connections from your address (limits.max_connections_per_address); close "
                               "some or reuse them (keep-alive)",
                               11, "1");
      co_return;
    }
    struct Release {
      Impl& impl;
      std::string const& address;
      ~Release() { impl.release_address(address); }
    } const release{*this, remote};

    beast::flat_buffer buffer;
    // Holds the header fields of one request and its response; most need no more than this.
    std::array<std::byte, 2048> arena_storage;
    std::pmr::monotonic_buffer_resource arena(arena_storage.data(), arena_storage.size());
    bool first = true;
    for (;;) {
      arena.release();
      RequestParser parser{std::piecewise_construct, std::make_tuple(), std::make_tuple(FieldAllocator(&arena))};
      parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
      parser.body_limit(limits.max_body_bytes);
      // Slow-drip clients get a deadline for the whole header, not per byte. On a keep-alive
      // connection the idle timeout lasts until the next request's first bytes (read here, often
      // without waiting, since a pipelining or quick client has sent them already); its header
      // then has the header timeout like any other.
      bool const idle = !first && buffer.size() == 0;
      first = false;
      if (idle) {
        auto const [wait_ec, n] = co_await read_within(socket, deadline, limits.idle_timeout, [&] {
          return socket.async_read_some(buffer.prepare(kReadSize), kNoThrow);
        });
        if (wait_ec) co_return;  // idle too long, or the client left
        buffer.commit(n);
      }
      auto const [read_ec, header_bytes] = co_await read_within(socket, deadline, limits.header_timeout, [&] {
        return bhttp::async_read_header(socket, buffer, parser, kNoThrow);
      });
      if (read_ec == bhttp::error::header_limit) {
        co_await reply_and_close(socket, deadline, bhttp::status::request_header_fields_too_large,
                                 "request headers exceed the server's limit", 11);
        co_return;
      }
      // The parser checks a declared Content-Length against body_limit as soon as the header is in,
      // so an oversized body is refused before any of it is read.
      if (read_ec == bhttp::error::body_limit) {
        co_await reply_and_close(socket, deadline, bhttp::status::payload_too_large, too_large_message, 11);
        co_return;
      }
      if (read_ec == beast::error::timeout) {
        // An idle keep-alive connection just closes; a request that started and stalled is told.
        if (parser.got_some() || buffer.size() > 0)
          co_await reply_and_close(socket, deadline, bhttp::status::request_timeout, header_timeout_message, 11);
        co_return;
      }
      if (read_ec) {
        if (read_ec != bhttp::error::end_of_stream && read_ec != asio::error::eof &&
            read_ec != asio::error::connection_reset && read_ec != asio::error::operation_aborted)
          co_await reply_and_close(socket, deadline, bhttp::status::bad_request, "malformed HTTP request", 11);
        co_return;
      }
      auto const version = parser.get().version();
      if (!parser.is_done()) {
        if (auto expect = parser.get()[bhttp::field::expect]; beast::iequals(expect, "100-continue")) {
          bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, version};
          deadline.start(limits.write_timeout);
          co_await bhttp::async_write(socket, proceed, kNoThrow);
          deadline.stop();
        }
        auto const [body_ec, body_bytes] = co_await read_within(socket, deadline, limits.body_timeout, [&] {
          return bhttp::async_read(socket, buffer, parser, kNoThrow);
        });
        if (body_ec == bhttp::error::body_limit) {  // a chunked body grew past the limit
          co_await reply_and_close(socket, deadline, bhttp::status::payload_too_large, too_large_message, version);
          co_return;
        }
        if (body_ec == beast::error::timeout) {
          co_await reply_and_close(socket, deadline, bhttp::status::request_timeout, body_timeout_message, version);
          co_return;
        }
        if (body_ec) {
          if (body_ec != asio::error::eof && body_ec != asio::error::connection_reset &&
              body_ec != bhttp::error::partial_message && body_ec != asio::error::operation_aborted)
            co_await reply_and_close(socket, deadline, bhttp::status::bad_request, "malformed HTTP request body",
                                     version);
          co_return;
        }
      }

      auto request = parser.release();
      auto const started = std::chrono::steady_clock::now();
      BeastExchange exchange(socket, deadline, arena, request, remote, limits);
      exchange.notes().received = started;
      auto route = routes.find(std::string(exchange.path()));
      if (route == routes.end()) {
        co_await exchange.respond(json_response(404, error_body(not_found_message())));
      } else {
        // A handler that throws must not take the connection down without an answer: the client
        // gets a 500 that says so (if nothing was sent yet), and the log gets the reason.
        std::string failure;
        try {
          co_await route->second->serve(exchange);
        } catch (std::exception const& error) {
          failure = error.what();
        } catch (...) {
          failure = "unknown exception";
        }
        if (!failure.empty()) {
          logging::write(logging::Level::kError, "http", "request_failed",
                         boost::json::object{{"correlation_id", exchange.notes().correlation_id},
                                             {"path", exchange.path()},
                                             {"error", failure},
                                             {"responded", exchange.responded()}});
          exchange.close_after();
        }
        if (!exchange.responded())
          co_await exchange.respond(json_response(
              500, error_body(failure.empty() ? "the handler produced no response"
                                              : "internal error while serving this request; the server log "
                                                "has it under this correlation id",
                              -32603)));
      }
      if (observer) observer->on_exchange(exchange, exchange.status(), std::chrono::steady_clock::now() - started);
      if (!exchange.keep_alive() || draining.load(std::memory_order_relaxed)) break;
    }
    error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
  }
};

Listener::Listener(runtime::WorkerPool& pool, ListenerLimits limits)
    : impl_(std::make_shared<Impl>(pool, limits)) {}

Listener::~Listener() { stop(); }

void Listener::route(std::string path, Handler& handler) { impl_->routes[std::move(path)] = &handler; }

void Listener::observe(ExchangeObserver& observer) { impl_->observer = &observer; }

std::uint16_t Listener::listen(std::string const& address, std::uint16_t port) {
  auto const ip = asio::ip::make_address(address);
  auto acceptor = std::make_unique<tcp::acceptor>(impl_->pool.main());
  tcp::endpoint const endpoint(ip, port);
  acceptor->open(endpoint.protocol());
  acceptor->set_option(asio::socket_base::reuse_address(true));
  if (ip.is_v6()) acceptor->set_option(asio::ip::v6_only(true));
  acceptor->bind(endpoint);
  acceptor->listen(asio::socket_base::max_listen_connections);
  auto const bound = acceptor->local_endpoint().port();
  auto& ref = *acceptor;
  {
    std::lock_guard lock(impl_->acceptors_mutex);
    impl_->acceptors.push_back(std::move(acceptor));
  }
  asio::co_spawn(impl_->pool.main(), impl_->accept_loop(ref), logging::LogFailure{"http_accept"});
  return bound;
}

void Listener::stop() {
  std::lock_guard lock(impl_->acceptors_mutex);
  for (auto& acceptor : impl_->acceptors) {
    error_code ignored;
    asio::post(acceptor->get_executor(), [a = acceptor.get()] {
      error_code e;
      a->close(e);
    });
  }
}

void Listener::begin_drain() {
  impl_->draining = true;
  stop();
}

std::size_t Listener::active_connections() const { return impl_->connections.load(std::memory_order_relaxed); }

}  // namespace prodmcp::http
