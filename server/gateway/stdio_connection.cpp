#include "gateway/stdio_connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <signal.h>

#include <deque>
#include <map>
#include <mutex>
#include <optional>

#include "gateway/call_trace.hpp"
#include "logging/detached_failure.hpp"
#include "protocol/jsonrpc.hpp"
#include "util/line_reader.hpp"

namespace prodmcp::gateway {

namespace {

namespace rpc = protocol::error_code;
using protocol::RpcError;
using Outbox = asio::experimental::concurrent_channel<void(boost::system::error_code, std::string)>;

constexpr std::size_t kOutboxCapacity = 4096;
constexpr std::size_t kStderrTailLines = 5;

}  // namespace

struct StdioConnection::State : std::enable_shared_from_this<State> {
  State(asio::any_io_executor executor, std::unique_ptr<ChildProcess> process, std::size_t max_line, Events events)
      : executor(executor),
        child(std::move(process)),
        input(executor, child->release_stdin()),
        output(executor, child->release_stdout()),
        errors(executor, child->release_stderr()),
        exit_watch(executor, ::dup(child->pidfd())),
        max_line(max_line),
        events(std::move(events)),
        outbox(executor, kOutboxCapacity) {}

  struct Call {
    std::string owner;
    std::shared_ptr<Inbox> inbox;
    std::shared_ptr<std::atomic<bool> const> waits_for_client;  // CallHooks::waits_for_client
    bool waiting() const { return waits_for_client && waits_for_client->load(); }
  };

  asio::any_io_executor executor;
  std::unique_ptr<ChildProcess> child;
  asio::posix::stream_descriptor input, output, errors, exit_watch;
  std::size_t const max_line;
  Events const events;
  Outbox outbox;

  mutable std::mutex mutex;
  std::map<std::int64_t, Call> calls;
  std::int64_t next_id = 1;
  bool exited = false;
  std::string exit_message;
  std::deque<std::string> stderr_tail;
  bool stderr_done = false;
  bool stopping = false;

  bool send(json::object const& message) {
    auto line = json::serialize(message);
    line.push_back('\n');
    return outbox.try_send(boost::system::error_code{}, std::move(line));
  }

  void problem(std::string_view text) const {
    if (events.protocol_problem) events.protocol_problem(text);
  }

  asio::awaitable<void> write_loop() {
    auto self = shared_from_this();
    for (;;) {
      auto [ec, line] = co_await outbox.async_receive(asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      auto [write_ec, written] = co_await asio::async_write(input, asio::buffer(line), asio::as_tuple(asio::use_awaitable));
      (void)written;
      if (write_ec) break;  // the child closed its stdin or exited
    }
    boost::system::error_code ignored;
    input.close(ignored);  // end of input: a well-behaved server exits
  }

  asio::awaitable<void> read_loop() {
    auto self = shared_from_this();
    util::LineReader reader(max_line);
    std::string buffer(64 * 1024, '\0');
    for (;;) {
      auto [ec, n] = co_await output.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      reader.feed(
          std::string_view(buffer.data(), n), [&](std::string const& line) { take(line); },
          [&] { problem("a line on stdout exceeded " + std::to_string(max_line) + " bytes and was skipped"); });
    }
    if (auto rest = reader.take_rest(); !rest.empty()) take(rest);
  }

  asio::awaitable<void> stderr_loop() {
    auto self = shared_from_this();
    util::LineReader reader(16 * 1024);
    std::string buffer(16 * 1024, '\0');
    auto keep = [&](std::string_view line) {
      if (events.stderr_line) events.stderr_line(line);
      std::lock_guard lock(mutex);
      stderr_tail.emplace_back(line);
      if (stderr_tail.size() > kStderrTailLines) stderr_tail.pop_front();
    };
    for (;;) {
      auto [ec, n] = co_await errors.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      reader.feed(std::string_view(buffer.data(), n), keep, [] {});  // a stderr line over 16 KiB is skipped
    }
    if (auto rest = reader.take_rest(); !rest.empty()) keep(rest);
    std::lock_guard lock(mutex);
    stderr_done = true;
  }

  asio::awaitable<void> watch_exit() {
    auto self = shared_from_this();
    co_await exit_watch.async_wait(asio::posix::stream_descriptor::wait_read, asio::as_tuple(asio::use_awaitable));
    auto exit = child->poll_exit();
    asio::steady_timer timer(executor);
    for (int waited = 0; !exit && waited < 1000; waited += 10) {  // a pidfd is readable at exit: reaped at once
      timer.expires_after(std::chrono::milliseconds(10));
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      exit = child->poll_exit();
    }
    if (!exit) exit = ChildExit{};
    // Its last words explain the exit: let the stderr reader take what is still in the pipe.
    for (int waited = 0; waited < 500; waited += 10) {
      {
        std::lock_guard lock(mutex);
        if (stderr_done) break;
      }
      timer.expires_after(std::chrono::milliseconds(10));
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    std::string tail;
    std::vector<std::string> lines;
    {
      std::lock_guard lock(mutex);
      for (auto const& line : stderr_tail) tail += (tail.empty() ? "" : " | ") + line;
      lines.assign(stderr_tail.begin(), stderr_tail.end());
    }
    // Told before alive() turns false, so whoever waits for the exit finds it reported.
    if (events.exited)
      events.exited(ConnectionEnd{exit->describe(), exit->failed(),
                                  json::object{{"exit", exit->describe()}, {"code", exit->code},
                                               {"signal", exit->signal}, {"stderr_tail", tail}},
                                  std::move(lines)});
    std::map<std::int64_t, Call> failed;
    std::string message;
    {
      std::lock_guard lock(mutex);
      exited = true;
      exit_message = "the upstream server exited (" + exit->describe() + ")" +
                     (tail.empty() ? std::string(" and wrote nothing to stderr") : "; its last stderr lines: " + tail);
      message = exit_message;
      failed.swap(calls);  // every call registered until now fails below
    }
    for (auto& [id, call] : failed) call.inbox->try_send(boost::system::error_code{}, transport_failure_message(message, true));
    outbox.close();
  }

  // One line from the child's stdout.
  void take(std::string_view line) {
    boost::system::error_code ec;
    json::parse_options options;
    options.max_depth = 256;
    auto value = json::parse(line, ec, json::storage_ptr(), options);
    if (ec || !value.is_object()) {
      problem("not a JSON-RPC message on stdout, skipped: " + std::string(line.substr(0, 200)));
      return;
    }
    auto& message = value.get_object();
    auto const* method = message.if_contains("method");
    auto const* id = message.if_contains("id");
    if (method && method->is_string()) {
      if (id && !id->is_null()) return server_request(std::move(message));
      if (*method == "notifications/progress") return progress(std::move(message));
      if (*method == "notifications/cancelled") return;  // it gives up a request of its own: none is routed
      // A log message while a client's calls run belongs to that client; otherwise to our log.
      if (*method == "notifications/message")
        if (auto inbox = call_of_one_owner(); inbox && inbox->try_send(boost::system::error_code{}, message)) return;
      if (events.notification) events.notification(message);
      return;
    }
    if (!id || !(id->is_int64() || id->is_uint64())) {
      problem("a response with an id this gateway never sent, skipped: " + std::string(line.substr(0, 200)));
      return;
    }
    std::shared_ptr<Inbox> inbox;
    {
      // Answered, the call is over here at once: what the server sends next (a request of its own
      // right after the response) must not go to a call that no longer reads its inbox.
      std::lock_guard lock(mutex);
      auto it = calls.find(id->to_number<std::int64_t>());
      if (it != calls.end()) inbox = it->second.inbox, calls.erase(it);
    }
    if (!inbox) return;  // a call that timed out or was cancelled
    if (!inbox->try_send(boost::system::error_code{}, std::move(message)))
      problem("a call's messages piled up; its response was dropped");
  }

  void progress(json::object message) {
    auto const* params = message.if_contains("params");
    auto const* token = params && params->is_object() ? params->get_object().if_contains("progressToken") : nullptr;
    if (!token || !(token->is_int64() || token->is_uint64())) return;
    std::shared_ptr<Inbox> inbox;
    {
      std::lock_guard lock(mutex);
      auto it = calls.find(token->to_number<std::int64_t>());
      if (it != calls.end()) inbox = it->second.inbox;
    }
    if (inbox) inbox->try_send(boost::system::error_code{}, std::move(message));  // progress may be dropped when full
  }

  // stdio carries no link from what a server sends to the call it serves: it belongs to the
  // newest call when every call in flight is the same client's. Calls that wait for their
  // client's answers ask nothing meanwhile, so they do not count.
  std::shared_ptr<Inbox> call_of_one_owner() const {
    std::lock_guard lock(mutex);
    Call const* newest = nullptr;
    for (auto it = calls.rbegin(); it != calls.rend(); ++it) {
      if (it->second.waiting()) continue;
      if (!newest) newest = &it->second;
      else if (it->second.owner != newest->owner) return nullptr;
    }
    return newest ? newest->inbox : nullptr;
  }

  // A request from the server (sampling, elicitation, roots, ping): answered here or by a call.
  void server_request(json::object message) {
    auto const id = message.at("id");
    std::string const method(message.at("method").get_string());
    if (method == "ping") {
      send(protocol::make_result(id, {}));
      return;
    }
    if (auto inbox = call_of_one_owner(); inbox && inbox->try_send(boost::system::error_code{}, std::move(message)))
      return;
    if (events.unsolicited_request) {  // a child of one client session: that client is asked
      answer_unsolicited(executor, events.unsolicited_request, std::move(message),
                         [self = shared_from_this()](json::object answer) { self->send(answer); });
      return;
    }
    bool idle = false;
    {
      std::lock_guard lock(mutex);
      idle = calls.empty();
    }
    send(protocol::make_error(id, rpc::kInternalError,
                        idle ? method + " arrived while no call is in flight through the gateway, so no client can "
                                        "answer it"
                             : method + " cannot be routed: calls of several clients are in flight on this upstream "
                                        "and stdio does not say which one it belongs to"));
  }
};

std::shared_ptr<StdioConnection> StdioConnection::start(asio::any_io_executor executor, ChildSpec const& spec,
                                                        std::size_t max_line_bytes, Events events) {
  auto child = std::make_unique<ChildProcess>(spec);
  auto state = std::make_shared<State>(executor, std::move(child), max_line_bytes, std::move(events));
  asio::co_spawn(executor, state->write_loop(), logging::LogFailure{"stdio_upstream_write"});
  asio::co_spawn(executor, state->read_loop(), logging::LogFailure{"stdio_upstream_read"});
  asio::co_spawn(executor, state->stderr_loop(), logging::LogFailure{"stdio_upstream_stderr"});
  asio::co_spawn(executor, state->watch_exit(), logging::LogFailure{"stdio_upstream_exit"});
  return std::shared_ptr<StdioConnection>(new StdioConnection(std::move(state)));
}

StdioConnection::~StdioConnection() {
  if (alive()) stop(std::chrono::milliseconds(0));
}

bool StdioConnection::alive() const {
  std::lock_guard lock(state_->mutex);
  return !state_->exited;
}

std::size_t StdioConnection::in_flight() const {
  std::lock_guard lock(state_->mutex);
  return state_->calls.size();
}

pid_t StdioConnection::pid() const { return state_->child->pid(); }

json::object StdioConnection::identity() const { return json::object{{"pid", pid()}}; }

void StdioConnection::notify(std::string method, json::object params) {
  state_->send(protocol::make_notification(method, std::move(params)));
}

void StdioConnection::stop(std::chrono::milliseconds grace) {
  {
    std::lock_guard lock(state_->mutex);
    if (state_->exited || state_->stopping) return;
    state_->stopping = true;
  }
  state_->outbox.close();  // the writer closes its stdin: the polite request to exit
  asio::co_spawn(
      state_->executor,
      [state = state_, grace]() -> asio::awaitable<void> {
        state->child->signal_group(SIGTERM);
        asio::steady_timer timer(state->executor);
        for (auto waited = std::chrono::milliseconds(0); waited < grace; waited += std::chrono::milliseconds(20)) {
          {
            std::lock_guard lock(state->mutex);
            if (state->exited) co_return;
          }
          timer.expires_after(std::chrono::milliseconds(20));
          co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        std::lock_guard lock(state->mutex);
        if (!state->exited) state->child->signal_group(SIGKILL);
      },
      logging::LogFailure{"stdio_upstream_request"});
}

asio::awaitable<json::object> StdioConnection::request(std::string method, json::object params,
                                                       std::chrono::milliseconds timeout, CallHooks const& hooks) {
  auto const state = state_;
  auto const executor = co_await asio::this_coro::executor;
  auto inbox = std::make_shared<Inbox>(executor, kInboxCapacity);
  std::int64_t id = 0;
  {
    std::lock_guard lock(state->mutex);
    if (state->exited) throw TransportFailure{{rpc::kInternalError, state->exit_message}};
    id = state->next_id++;
    state->calls[id] = State::Call{hooks.owner, inbox, hooks.waits_for_client};
  }
  if (hooks.legs) hooks.legs->sent(id);
  struct Forget {
    State& state;
    std::int64_t id;
    ~Forget() {
      std::lock_guard lock(state.mutex);
      state.calls.erase(id);
    }
  } forget{*state, id};
  auto const request = outgoing_request(method, id, std::move(params), hooks);
  if (!state->send(request))
    throw TransportFailure{{rpc::kInternalError, "the upstream server is not reading its input (or is exiting); " +
                                                     method + " was not sent"}};
  std::function<void(json::object)> const send = [state](json::object message) { state->send(message); };
  co_return co_await await_answer(*inbox, method, id, timeout, hooks, send);
}

}  // namespace prodmcp::gateway
