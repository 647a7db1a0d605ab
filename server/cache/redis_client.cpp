#include "cache/redis_client.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/parse.hpp>
#include <random>

#include "logging/log.hpp"

namespace prodmcp::cache {

namespace {

using Completion = asio::any_completion_handler<void(RedisResult)>;

struct Endpoint {
  std::string host = "localhost";
  int port = 6379;
  std::string user;
  std::string password;
  std::string database;  // empty: 0
};

std::optional<Endpoint> parse_endpoint(std::string const& url, std::string& problem) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) {
    problem = "not a URL; write redis://[user:password@]host[:port][/db]";
    return std::nullopt;
  }
  if (parsed->scheme() != "redis") {
    problem = "the scheme must be redis:// (TLS, rediss://, is not supported)";
    return std::nullopt;
  }
  Endpoint endpoint;
  if (!parsed->host().empty()) endpoint.host = parsed->host_address();
  if (parsed->has_port()) endpoint.port = parsed->port_number();
  if (parsed->has_userinfo()) {
    endpoint.user = parsed->user();
    endpoint.password = parsed->password();
  }
  auto path = std::string(parsed->path());
  if (!path.empty() && path.front() == '/') path.erase(0, 1);
  if (!path.empty() && !std::all_of(path.begin(), path.end(), [](unsigned char c) { return std::isdigit(c); })) {
    problem = "the path must be a database number, e.g. redis://localhost:6379/0";
    return std::nullopt;
  }
  endpoint.database = path;
  return endpoint;
}

RedisReply convert(redisReply const* reply) {
  RedisReply result;
  switch (reply->type) {
    case REDIS_REPLY_STRING: result.type = RedisReply::Type::kString; break;
    case REDIS_REPLY_STATUS: result.type = RedisReply::Type::kStatus; break;
    case REDIS_REPLY_ERROR: result.type = RedisReply::Type::kError; break;
    case REDIS_REPLY_INTEGER: result.type = RedisReply::Type::kInteger; break;
    case REDIS_REPLY_ARRAY: result.type = RedisReply::Type::kArray; break;
    default: result.type = RedisReply::Type::kNil; break;
  }
  if (reply->str) result.text.assign(reply->str, reply->len);
  result.integer = reply->integer;
  for (std::size_t i = 0; i < reply->elements; ++i) result.elements.push_back(convert(reply->element[i]));
  return result;
}

// hiredis 0.14 allocates an array reply's element table as soon as it reads the count, so one
// reply announcing a billion elements (a hostile or mistaken endpoint behind redis_url) would take
// gigabytes. The reader refuses larger arrays instead: a protocol error, and the connection resets.
constexpr int kMaxReplyElements = 1 << 20;
decltype(redisReplyObjectFunctions::createArray) hiredis_create_array = nullptr;

void* create_bounded_array(redisReadTask const* task, int elements) {
  if (elements < 0 || elements > kMaxReplyElements) return nullptr;
  return hiredis_create_array(task, elements);
}

void bound_array_replies(redisReader* reader) {
  static redisReplyObjectFunctions functions = [reader] {
    auto bounded = *reader->fn;
    hiredis_create_array = bounded.createArray;
    bounded.createArray = &create_bounded_array;
    return bounded;
  }();
  reader->fn = &functions;
}

// A waiting command: its completion and the executor it must resume on.
struct Caller {
  Completion handler;
  asio::any_io_executor executor;
};

void complete(Caller caller, RedisResult result) {
  // Resume the caller on its own executor, whichever thread Redis answered on.
  auto executor = caller.executor;
  asio::post(executor, [handler = std::move(caller.handler), result = std::move(result)]() mutable {
    std::move(handler)(std::move(result));
  });
}

}  // namespace

std::vector<RedisReply> read_replies(std::string_view wire) {
  std::vector<RedisReply> replies;
  std::unique_ptr<redisReader, decltype(&redisReaderFree)> reader(redisReaderCreate(), &redisReaderFree);
  if (!reader) return replies;
  bound_array_replies(reader.get());
  if (redisReaderFeed(reader.get(), wire.data(), wire.size()) != REDIS_OK) return replies;
  for (;;) {
    void* reply = nullptr;
    if (redisReaderGetReply(reader.get(), &reply) != REDIS_OK || reply == nullptr) break;
    replies.push_back(convert(static_cast<redisReply const*>(reply)));
    freeReplyObject(reply);
  }
  return replies;
}

std::string RedisResult::describe() const {
  switch (failure) {
    case Failure::kNotConnected: return "not connected to Redis";
    case Failure::kTimeout: return "Redis did not answer within the command timeout";
    case Failure::kDisconnected: return "the Redis connection closed before the answer";
    case Failure::kNone: break;
  }
  return reply.type == RedisReply::Type::kError ? "Redis error: " + reply.text : "ok";
}

struct RedisClient::Impl : std::enable_shared_from_this<Impl> {
  struct Pending {
    Caller caller;
    asio::steady_timer timer;
    bool done = false;
  };

  Impl(asio::io_context& io, RedisOptions options)
      : io(io), options(std::move(options)), connect_timer(io), reconnect_timer(io), random(std::random_device{}()) {
    std::string problem;
    endpoint = parse_endpoint(this->options.url, problem).value_or(Endpoint{});
    address = endpoint.host + ":" + std::to_string(endpoint.port);
  }

  ~Impl() {
    if (context) {
      context->data = nullptr;
      redisAsyncFree(context);
    }
  }

  asio::io_context& io;
  RedisOptions options;
  Endpoint endpoint;
  std::string address;
  redisAsyncContext* context = nullptr;
  std::unique_ptr<asio::posix::stream_descriptor> socket;
  std::uint64_t generation = 0;  // one per connection attempt; stale socket handlers check it
  // What hiredis wants to hear about the socket: readable (replies) and writable (connect, sends).
  struct Interest {
    asio::posix::stream_descriptor::wait_type type;
    void (*handle)(redisAsyncContext*);
    bool wanted = false;
    bool waiting = false;  // a wait is armed
  };
  Interest readable{asio::posix::stream_descriptor::wait_read, &redisAsyncHandleRead};
  Interest writable{asio::posix::stream_descriptor::wait_write, &redisAsyncHandleWrite};
  std::atomic<bool> connected{false};
  bool stopped = false;
  int failures = 0;  // consecutive failed attempts, for the backoff
  asio::steady_timer connect_timer;
  asio::steady_timer reconnect_timer;
  std::mt19937_64 random;

  // ---- connection --------------------------------------------------------------------------

  void connect() {
    if (stopped) return;
    ++generation;
    context = redisAsyncConnect(endpoint.host.c_str(), endpoint.port);
    if (!context || context->err) {
      std::string const error = context ? context->errstr : "out of memory";
      if (context) redisAsyncFree(context);
      context = nullptr;
      connection_failed(error);
      return;
    }
    context->data = this;
    bound_array_replies(context->c.reader);
    attach();
    redisAsyncSetConnectCallback(context, &Impl::on_connect);
    redisAsyncSetDisconnectCallback(context, &Impl::on_disconnect);
    connect_timer.expires_after(options.connect_timeout);
    connect_timer.async_wait([self = shared_from_this(), attempt = generation](boost::system::error_code ec) {
      if (ec || attempt != self->generation || self->connected || !self->context) return;
      auto* stale = self->context;
      self->context = nullptr;
      stale->data = nullptr;
      redisAsyncFree(stale);  // outside any hiredis callback, so freeing here is allowed
      self->connection_failed("connect timed out after " + std::to_string(self->options.connect_timeout.count()) +
                              " ms");
    });
  }

  void attach() {
    socket = std::make_unique<asio::posix::stream_descriptor>(io, context->c.fd);
    readable.wanted = readable.waiting = writable.wanted = writable.waiting = false;
    context->ev.data = this;
    context->ev.addRead = [](void* data) { static_cast<Impl*>(data)->set_interest(&Impl::readable, true); };
    context->ev.delRead = [](void* data) { static_cast<Impl*>(data)->set_interest(&Impl::readable, false); };
    context->ev.addWrite = [](void* data) { static_cast<Impl*>(data)->set_interest(&Impl::writable, true); };
    context->ev.delWrite = [](void* data) { static_cast<Impl*>(data)->set_interest(&Impl::writable, false); };
    context->ev.cleanup = [](void* data) { static_cast<Impl*>(data)->detach(); };
  }

  // hiredis is freeing the context and will close the descriptor itself.
  void detach() {
    if (!socket) return;
    boost::system::error_code ignored;
    socket->cancel(ignored);
    socket->release();
    socket.reset();
    readable.wanted = writable.wanted = false;
  }

  // Keeps a wait armed on the socket for as long as hiredis wants this direction.
  void set_interest(Interest Impl::*which, bool on) {
    (this->*which).wanted = on;
    if (on) arm(this->*which);
  }

  void arm(Interest& interest) {
    if (!interest.wanted || interest.waiting || !socket) return;
    interest.waiting = true;
    socket->async_wait(interest.type, [self = shared_from_this(), attempt = generation,
                                       &interest](boost::system::error_code ec) {
      if (attempt != self->generation) return;
      interest.waiting = false;
      if (ec || !self->context || !interest.wanted) return;
      interest.handle(self->context);  // may free the context (hiredis then calls detach)
      self->arm(interest);
    });
  }

  static void on_connect(redisAsyncContext const* context, int status) {
    auto* self = static_cast<Impl*>(context->data);
    if (!self) return;
    self->connect_timer.cancel();
    if (status != REDIS_OK) {
      std::string const error = context->errstr;
      self->context = nullptr;  // hiredis frees it after this callback
      self->connection_failed(error);
      return;
    }
    self->connected = true;
    if (self->failures > 0 || self->generation > 1)
      logging::write(logging::Level::kInfo, "redis", "redis_connected",
                     json_fields(self->address, self->failures));
    self->failures = 0;
    // Sent first on the new connection, so they run before any command queued behind them.
    if (!self->endpoint.password.empty()) {
      std::vector<std::string> auth{"AUTH"};
      if (!self->endpoint.user.empty()) auth.push_back(self->endpoint.user);
      auth.push_back(self->endpoint.password);
      self->send_setup(auth);
    }
    if (!self->endpoint.database.empty()) self->send_setup({"SELECT", self->endpoint.database});
  }

  static void on_disconnect(redisAsyncContext const* context, int status) {
    auto* self = static_cast<Impl*>(context->data);
    if (!self) return;
    self->context = nullptr;  // hiredis frees it after this callback
    self->connected = false;
    if (self->stopped) return;
    logging::write(logging::Level::kWarning, "redis", "redis_disconnected",
                   boost::json::object{{"address", self->address},
                                       {"reason", status == REDIS_OK ? "closed" : context->errstr}});
    self->schedule_reconnect();
  }

  static boost::json::object json_fields(std::string const& address, int failures) {
    return boost::json::object{{"address", address}, {"failed_attempts", failures}};
  }

  void send_setup(std::vector<std::string> const& arguments) {
    std::vector<char const*> argv;
    std::vector<std::size_t> lengths;
    for (auto const& argument : arguments) {
      argv.push_back(argument.data());
      lengths.push_back(argument.size());
    }
    redisAsyncCommandArgv(
        context,
        [](redisAsyncContext*, void* reply, void*) {
          auto const* r = static_cast<redisReply const*>(reply);
          if (r && r->type == REDIS_REPLY_ERROR)
            logging::write(logging::Level::kError, "redis", "redis_setup_failed",
                           boost::json::object{{"error", std::string(r->str, r->len)}});
        },
        nullptr, static_cast<int>(argv.size()), argv.data(), lengths.data());
  }

  void connection_failed(std::string const& error) {
    connected = false;
    ++failures;
    // The first failure is news; repeats while Redis stays down are detail.
    logging::write(failures == 1 ? logging::Level::kWarning : logging::Level::kDebug, "redis",
                   "redis_connect_failed",
                   boost::json::object{{"address", address}, {"error", error}, {"failed_attempts", failures}});
    schedule_reconnect();
  }

  // Exponential backoff with jitter: half the step is fixed so attempts never bunch up at zero.
  void schedule_reconnect() {
    if (stopped) return;
    auto const shift = std::min(failures, 16);
    auto const step = std::min<std::int64_t>(options.reconnect_max.count(), options.reconnect_base.count() << shift);
    auto const delay = step / 2 + std::uniform_int_distribution<std::int64_t>(0, step / 2)(random);
    reconnect_timer.expires_after(std::chrono::milliseconds(delay));
    reconnect_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec && !self->context) self->connect();
    });
  }

  void shutdown() {
    stopped = true;
    connect_timer.cancel();
    reconnect_timer.cancel();
    connected = false;
    if (context) {
      auto* closing = context;
      context = nullptr;
      closing->data = nullptr;
      redisAsyncFree(closing);  // pending commands complete as disconnected
    }
  }

  // ---- commands ----------------------------------------------------------------------------

  void issue(std::vector<std::string> arguments, Caller caller) {
    if (!context || !connected) {
      RedisResult result;
      result.failure = RedisResult::Failure::kNotConnected;
      complete(std::move(caller), std::move(result));
      return;
    }
    auto pending = std::make_shared<Pending>(Pending{std::move(caller), asio::steady_timer(io), false});
    pending->timer.expires_after(options.command_timeout);
    pending->timer.async_wait([pending](boost::system::error_code ec) {
      if (ec || pending->done) return;
      pending->done = true;
      RedisResult result;
      result.failure = RedisResult::Failure::kTimeout;
      complete(std::move(pending->caller), std::move(result));
    });
    std::vector<char const*> argv;
    std::vector<std::size_t> lengths;
    for (auto const& argument : arguments) {
      argv.push_back(argument.data());
      lengths.push_back(argument.size());
    }
    auto* holder = new std::shared_ptr<Pending>(pending);
    if (redisAsyncCommandArgv(context, &Impl::on_reply, holder, static_cast<int>(argv.size()), argv.data(),
                              lengths.data()) != REDIS_OK) {
      delete holder;
      finish(pending, nullptr);
    }
  }

  static void on_reply(redisAsyncContext*, void* reply, void* data) {
    std::unique_ptr<std::shared_ptr<Pending>> holder(static_cast<std::shared_ptr<Pending>*>(data));
    finish(*holder, static_cast<redisReply const*>(reply));
  }

  static void finish(std::shared_ptr<Pending> const& pending, redisReply const* reply) {
    if (pending->done) return;  // it timed out already
    pending->done = true;
    pending->timer.cancel();
    RedisResult result;
    if (reply) result.reply = convert(reply);
    else result.failure = RedisResult::Failure::kDisconnected;
    complete(std::move(pending->caller), std::move(result));
  }
};

RedisClient::RedisClient(asio::io_context& io, RedisOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {}

RedisClient::~RedisClient() = default;

void RedisClient::start() {
  asio::post(impl_->io, [impl = impl_] { impl->connect(); });
}

void RedisClient::stop() {
  asio::post(impl_->io, [impl = impl_] { impl->shutdown(); });
}

bool RedisClient::connected() const { return impl_->connected.load(std::memory_order_relaxed); }

std::string const& RedisClient::address() const { return impl_->address; }

asio::awaitable<RedisResult> RedisClient::command(std::vector<std::string> arguments) {
  asio::any_io_executor const caller_executor = co_await asio::this_coro::executor;
  auto initiation = [impl = impl_, arguments = std::move(arguments), caller_executor](auto handler) mutable {
    Caller caller{Completion(std::move(handler)), caller_executor};
    asio::post(impl->io, [impl, arguments = std::move(arguments), caller = std::move(caller)]() mutable {
      impl->issue(std::move(arguments), std::move(caller));
    });
  };
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(RedisResult)>(std::move(initiation),
                                                                                             asio::use_awaitable);
}

std::string RedisClient::check_url(std::string const& url) {
  std::string problem;
  parse_endpoint(url, problem);
  return problem;
}

}  // namespace prodmcp::cache
