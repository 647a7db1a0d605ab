// Micro-benchmarks of the protocol engine without a transport: what one request costs to parse,
// check, dispatch and serialize. Boost.JSON's own parse and serialize of the same bytes are the
// reference in the same run, so the engine's share shows as a ratio.
//   prodmcp_micro_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <optional>
#include <string>

#include "protocol/engine.hpp"
#include "protocol/jsonrpc.hpp"
#include "tools/builtin_tools.hpp"

namespace asio = boost::asio;
namespace json = boost::json;
using namespace prodmcp::protocol;

namespace {

constexpr std::string_view kPing = R"({"jsonrpc":"2.0","id":1,"method":"ping"})";
constexpr std::string_view kEchoCall =
    R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"}}})";
constexpr std::string_view kStatelessEchoCall =
    R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"},)"
    R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})";

// One engine with the built-in tools, shared by every benchmark thread as the server's workers
// share it.
class SharedEngine {
 public:
  SharedEngine() : engine_(EngineOptions{}, catalog_, sessions_) {
    prodmcp::tools::add_builtin_tools(catalog_, [] { return json::object{{"ok", true}}; });
  }
  Engine& engine() { return engine_; }

 private:
  Catalog catalog_;
  SessionRegistry sessions_;
  Engine engine_;
};

SharedEngine& shared_engine() {
  static SharedEngine instance;
  return instance;
}

// One client of the shared engine: its own worker io_context and 2025-11-25 session.
class Client {
 public:
  Client() : engine_(shared_engine().engine()) {
    auto const initialize = json::parse(
        R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
        R"("capabilities":{},"clientInfo":{"name":"bench","version":"1"}}})");
    session_ = engine_.initialize(initialize.as_object()).session;
  }

  // The whole in-process path of one HTTP body: parse, classify, bind, dispatch, serialize.
  std::string serve(std::string_view body) {
    json::value message = json::parse(body);
    if (classify(message).kind != MessageKind::kRequest) return {};
    auto& request = message.as_object();
    RequestContext context;
    context.executor = io_.get_executor();
    context.id = request["id"];
    context.method = request["method"].as_string();
    if (auto* params = request.if_contains("params")) context.params = std::move(params->as_object());
    if (Engine::has_stateless_meta(request)) {
      if (auto error = engine_.bind_stateless(context)) return json::serialize(make_error(context.id, *error));
    } else {
      engine_.bind_session(context, session_);
    }
    std::optional<json::object> response;
    asio::co_spawn(
        io_, [&]() -> asio::awaitable<void> { response = co_await engine_.handle(context); }, asio::detached);
    io_.restart();
    io_.run();
    return response ? json::serialize(*response) : std::string{};
  }

 private:
  asio::io_context io_;
  Engine& engine_;
  std::shared_ptr<Session> session_;
};

void parse_only(benchmark::State& state, std::string_view body) {
  for (auto _ : state) {
    auto value = json::parse(body);
    benchmark::DoNotOptimize(value);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}

void parse_and_classify(benchmark::State& state, std::string_view body) {
  for (auto _ : state) {
    auto value = json::parse(body);
    auto classification = classify(value);
    benchmark::DoNotOptimize(classification);
  }
}

void serve(benchmark::State& state, std::string_view body) {
  Client fixture;
  if (fixture.serve(body).find("\"result\"") == std::string::npos) {
    state.SkipWithError("the request did not produce a result");
    return;
  }
  for (auto _ : state) {
    auto response = fixture.serve(body);
    benchmark::DoNotOptimize(response);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(parse_only, ping, kPing);
BENCHMARK_CAPTURE(parse_only, echo_call, kEchoCall);
BENCHMARK_CAPTURE(parse_and_classify, ping, kPing);
BENCHMARK_CAPTURE(parse_and_classify, echo_call, kEchoCall);
// Threads(2): two workers on one engine, as `--workers 2` runs it; on two free cores the
// items/s should double if nothing shared serializes them.
BENCHMARK_CAPTURE(serve, ping_session, kPing)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_CAPTURE(serve, echo_call_session, kEchoCall)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK_CAPTURE(serve, echo_call_stateless, kStatelessEchoCall)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
