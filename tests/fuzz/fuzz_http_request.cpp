// Raw bytes from a client, through the listener's HTTP/1.1 parser and its limits (header and body
// sizes, chunked bodies, 100-continue, keep-alive, pipelining) over a loopback connection. The
// listener must answer with HTTP responses and close, hand a handler nothing past its limits,
// and keep serving.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "fuzz_target.hpp"
#include "http/http_listener.hpp"
#include "runtime/worker_pool.hpp"

namespace {

namespace asio = boost::asio;
namespace http = prodmcp::http;

constexpr std::size_t kMaxBody = 4096;
constexpr std::size_t kMaxHeader = 2048;

// Answers with what it was given: the body, or (on /stream) the body as a stream of chunks.
class Echo final : public http::Handler {
 public:
  asio::awaitable<void> serve(http::Exchange& exchange) override {
    if (exchange.body().size() > kMaxBody) __builtin_trap();  // past the listener's body limit
    if (exchange.target().size() > kMaxHeader) __builtin_trap();
    // Built outside the co_await expressions: GCC 12 miscompiles braced lists there.
    std::string const body(exchange.body());
    if (exchange.path() == "/stream") {
      http::Headers const none;
      if (!co_await exchange.begin_stream(200, "text/plain", none)) co_return;
      (void)co_await exchange.write(body);
      co_await exchange.end_stream();
      co_return;
    }
    http::Response response;
    response.content_type = "text/plain";
    response.body = body;
    co_await exchange.respond(std::move(response));
  }
};

struct Server {
  Server() : pool(1), listener(pool, limits()) {
    listener.route("/echo", echo);
    listener.route("/stream", echo);
    port = listener.listen("127.0.0.1", 0);
    thread = std::thread([this] { pool.run(); });
  }
  ~Server() {
    listener.stop();
    pool.stop();
    thread.join();
    pool.shutdown();
  }
  static http::ListenerLimits limits() {
    http::ListenerLimits limits;
    limits.max_body_bytes = kMaxBody;
    limits.max_header_bytes = kMaxHeader;
    limits.header_timeout = std::chrono::milliseconds(2000);
    limits.body_timeout = std::chrono::milliseconds(2000);
    limits.idle_timeout = std::chrono::milliseconds(2000);
    return limits;
  }

  prodmcp::runtime::WorkerPool pool;
  Echo echo;
  http::Listener listener;
  std::uint16_t port = 0;
  std::thread thread;
};

// Sends everything, half-closes, and reads until the server closes (a hang: 10 s without a byte).
// Plain sockets, so the receive timeout holds (Asio's blocking reads wait past it).
std::string last_error;  // of the last exchange's receive, for the report

std::string exchange_bytes(std::uint16_t port, std::string_view request) {
  last_error.clear();
  int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) __builtin_trap();
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr const*>(&address), sizeof address) != 0) {
    // libFuzzer's timeout alarm may interrupt the connect, which then completes on its own.
    pollfd writable{fd, POLLOUT, 0};
    int error = errno;
    socklen_t length = sizeof error;
    int ready = -1;
    if (error == EINTR)
      while ((ready = ::poll(&writable, 1, 10'000)) < 0 && errno == EINTR) {
      }
    if (ready != 1 ||
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
      std::fprintf(stderr, "connect: %s\n", std::strerror(error));
      __builtin_trap();
    }
  }
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  while (!request.empty()) {
    auto const sent = ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) break;  // the server closed first, as it may (a 413, a malformed request)
    request.remove_prefix(static_cast<std::size_t>(sent));
  }
  ::shutdown(fd, SHUT_WR);
  std::string answer;
  char buffer[16384];
  for (;;) {
    auto const n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;  // libFuzzer's timeout alarm
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) __builtin_trap();  // no close in 10 s
    if (n < 0) last_error = std::strerror(errno);
    if (n <= 0) break;
    answer.append(buffer, static_cast<std::size_t>(n));
  }
  // The server has closed its side: close without TIME_WAIT. Tens of thousands of runs would
  // otherwise use up the ephemeral ports, and their reuse resets connections of later runs.
  linger const abort_on_close{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  ::close(fd);
  return answer;
}

}  // namespace

PRODMCP_FUZZ_TARGET(http_request) {
  static auto const server = std::make_unique<Server>();
  auto const answer = exchange_bytes(server->port, prodmcp::fuzz::as_text(data, size));
  if (!answer.empty() && !answer.starts_with("HTTP/1.1 ") && !answer.starts_with("HTTP/1.0 ")) __builtin_trap();
  // No connection outlives its client: the server lets go of it soon after the close.
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (server->listener.active_connections() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  if (server->listener.active_connections() > 0) __builtin_trap();
  // Still serving: a well-formed request right after gets its answer.
  auto const next = exchange_bytes(server->port, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok");
  if (!next.starts_with("HTTP/1.1 200 ")) {
    std::fprintf(stderr, "the next request got: %s (%s)\n", next.substr(0, 300).c_str(), last_error.c_str());
    __builtin_trap();
  }
  return 0;
}
