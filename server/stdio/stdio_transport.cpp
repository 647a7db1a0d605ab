#include "stdio/stdio_transport.hpp"
#include "logging/detached_failure.hpp"
#include "util/line_reader.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <unistd.h>

#include <cerrno>
#include <atomic>
#include <future>
#include <thread>
#include <mutex>
#include <string>

namespace prodmcp::stdio {

namespace asio = boost::asio;
namespace json = boost::json;
namespace rpc = protocol::error_code;
using protocol::Engine;
using protocol::RequestContext;

struct StdioTransport::Impl : std::enable_shared_from_this<Impl>,
                              protocol::RequestChannel,
                              protocol::NotificationListener {
  Impl(Engine& engine, asio::io_context& context, StdioOptions options)
      : engine(engine), context(context), options(options) {}

  Engine& engine;
  asio::io_context& context;
  StdioOptions const options;
  std::mutex output_mutex;
  std::shared_ptr<protocol::Session> session;  // set by initialize; touched only on the context's thread
  std::atomic<int> running{0};                 // requests being served

  void write_line(std::string line) {
    line.push_back('\n');
    std::lock_guard lock(output_mutex);
    std::string_view rest = line;
    while (!rest.empty()) {
      auto const written = ::write(options.output_fd, rest.data(), rest.size());
      if (written < 0) {
        if (errno == EINTR) continue;
        return;  // the client closed stdout; nothing more can be said
      }
      rest.remove_prefix(static_cast<std::size_t>(written));
    }
  }
  void write_message(json::object const& message) { write_line(json::serialize(message)); }

  // RequestChannel: stdio carries related messages in the one output stream.
  asio::awaitable<void> send(json::object message) override {
    write_message(message);
    co_return;
  }

  // NotificationListener: list_changed and resource updates for the session.
  void deliver(protocol::CatalogChange change) override {
    if (!session) return;
    std::string_view method = change == protocol::CatalogChange::kTools       ? "notifications/tools/list_changed"
                              : change == protocol::CatalogChange::kResources ? "notifications/resources/list_changed"
                                                                              : "notifications/prompts/list_changed";
    write_message(protocol::make_notification(method, {}));
  }
  void deliver_resource_updated(std::string const& uri) override {
    if (session && session->subscribed(uri))
      write_message(protocol::make_notification("notifications/resources/updated", json::object{{"uri", uri}}));
  }

  // Runs on the context: one message line.
  void handle_line(std::string line) {
    json::parse_options parse_options;
    parse_options.max_depth = static_cast<std::size_t>(options.max_json_depth);
    boost::system::error_code ec;
    json::value message = json::parse(line, ec, json::storage_ptr(), parse_options);
    if (ec) {
      write_message(protocol::make_error(nullptr, rpc::kParseError, "the line is not valid JSON (" + ec.message() + ")"));
      return;
    }
    auto self = shared_from_this();
    if (message.is_array()) {
      // Answered as one array, like HTTP; the batch's requests run one after another.
      running.fetch_add(1);
      asio::co_spawn(context,
                     [self, batch = std::move(message.get_array())]() mutable -> asio::awaitable<void> {
                       auto outcome = co_await self->engine.handle_batch(batch, self->session, self->origin());
                       if (outcome.refused) self->write_message(protocol::make_error(nullptr, *outcome.refused));
                       else if (!outcome.responses.empty()) self->write_line(json::serialize(outcome.responses));
                       self->running.fetch_sub(1);
                     },
                     logging::LogFailure{"stdio_message"});
      return;
    }
    handle_message(message);
  }

  RequestContext origin() const {
    RequestContext origin;
    origin.executor = context.get_executor();
    origin.client_id = "stdio";
    return origin;
  }

  void handle_message(json::value& message) {
    auto const classification = protocol::classify(message);
    if (classification.kind == protocol::MessageKind::kInvalid) {
      write_message(protocol::make_error(protocol::id_of(message), rpc::kInvalidRequest, classification.problem));
      return;
    }
    auto& object = message.get_object();
    bool const stateless = Engine::has_stateless_meta(object);
    auto self = shared_from_this();
    if (classification.kind != protocol::MessageKind::kRequest) {
      // Runs inline up to its first wait (co_spawn dispatches), so messages keep their order.
      asio::co_spawn(
          context,
          [self, target = stateless ? nullptr : session, object = std::move(object),
           kind = classification.kind]() -> asio::awaitable<void> { co_await self->engine.receive(target, object, kind); },
          logging::LogFailure{"stdio_request"});
      return;
    }
    if (!stateless && object.at("method") == "initialize") {
      if (session) {
        write_message(protocol::make_error(object.at("id"), rpc::kInvalidRequest,
                                           "this stdio connection is already initialized"));
        return;
      }
      auto initialized = engine.initialize(object, origin());
      session = initialized.session;
      write_message(initialized.response);
      return;
    }

    RequestContext request = Engine::request_context(object, origin());
    request.channel = this;
    if (stateless) {
      if (auto error = engine.bind_stateless(request)) {
        write_message(protocol::make_error(request.id, *error));
        return;
      }
    } else if (session) {
      engine.bind_session(request, session);
    } else if (request.method != "ping") {
      write_message(protocol::make_error(request.id, rpc::kInvalidRequest,
                                         "send initialize first (or use protocol revision 2026-07-28 with _meta)"));
      return;
    }

    // Each request runs concurrently so that cancellation and client requests (sampling) work.
    auto call = std::make_shared<RequestContext>(std::move(request));
    auto const key = protocol::id_key(call->id);
    auto in_flight = call->session ? call->session->begin_request(key, context.get_executor())
                                   : std::make_shared<protocol::InFlightRequest>();
    running.fetch_add(1);
    asio::co_spawn(
        context,
        [self, call, key]() -> asio::awaitable<void> {
          auto response = co_await self->engine.handle(*call);
          if (response) self->write_message(*response);
          if (call->session) call->session->end_request(key);
          self->running.fetch_sub(1);
        },
        asio::bind_cancellation_slot(in_flight->signal.slot(), [in_flight](std::exception_ptr) {}));
  }

  int run() {
    auto post_line = [this](std::string& line) {
      asio::post(context, [self = shared_from_this(), line = std::move(line)]() mutable {
        self->handle_line(std::move(line));
      });
    };
    util::LineReader reader(options.max_message_bytes);
    std::string buffer(64 * 1024, '\0');
    for (;;) {
      auto const n = ::read(options.input_fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      reader.feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)), post_line, [this] {
        write_message(protocol::make_error(nullptr, rpc::kInvalidRequest,
                                           "message exceeds MAX_REQUEST_SIZE (" +
                                               std::to_string(options.max_message_bytes) + " bytes)"));
      });
    }
    if (auto rest = reader.take_rest(); !rest.empty()) post_line(rest);
    // EOF: let the requests already read finish (briefly), then close the session, cancelling
    // whatever still runs, on the context's thread.
    auto on_context = [this](auto work) {
      std::promise<void> done;
      asio::post(context, [&] {
        work();
        done.set_value();
      });
      done.get_future().wait();
    };
    on_context([] {});
    for (int waited_ms = 0; running.load() > 0 && waited_ms < 5000; waited_ms += 10)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    on_context([this] {
      if (session) session->close();
    });
    return 0;
  }
};

StdioTransport::StdioTransport(Engine& engine, asio::io_context& context, StdioOptions options)
    : impl_(std::make_shared<Impl>(engine, context, options)) {
  engine.add_listener(impl_);
}
StdioTransport::~StdioTransport() = default;
int StdioTransport::run() { return impl_->run(); }

}  // namespace prodmcp::stdio
