// prodmcp-server as a gateway in front of stdio MCP servers: the fixtures server
// (prodmcp-server --stdio --conformance-fixtures) and a fake one that crashes, writes garbage,
// is slow, ignores SIGTERM or returns a cursor that never advances.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>

#include "gateway_client.hpp"
#include "server_under_test.hpp"

namespace json = boost::json;
using namespace prodmcp::testing;
using namespace std::chrono_literals;

namespace {

std::string fixtures_upstream() { return "fx=" + server_binary() + " --stdio --conformance-fixtures"; }
std::string fake_upstream(std::string const& flags = {}) {
  return std::string("fake=") + PRODMCP_FAKE_UPSTREAM_BINARY + (flags.empty() ? "" : " " + flags);
}

// The fake upstream says its pid on stderr, which the gateway logs; 0 when it has not yet.
pid_t fake_child_pid(ServerUnderTest const& server) {
  auto const log = server.log();
  auto const at = log.find("fake upstream ");
  return at == std::string::npos ? 0 : std::stoi(log.substr(at + 14));
}

// Waits until two upstreams have said they are ready.
bool two_upstreams_ready(ServerUnderTest const& server) {
  return wait_until([&] {
    auto const log = server.log();
    auto const first = log.find("\"upstream_ready\"");
    return first != std::string::npos && log.find("\"upstream_ready\"", first + 1) != std::string::npos;
  }, 30s);
}

}  // namespace

TEST(Gateway, OffersTheUpstreamsToolsUnderTheirOwnNamesAndForwardsCalls) {
  Gateway gateway({fixtures_upstream()});
  auto const port = gateway.server.port();
  auto const session = initialize_session(port);
  auto const names = tool_names(port, session);
  EXPECT_TRUE(contains(names, "echo"));
  EXPECT_TRUE(contains(names, "test_simple_text"));
  EXPECT_EQ(text_of(call_tool(port, session, "echo", R"({"message":"through the gateway"})")), "through the gateway");
  // Its request log line names the upstream that served it.
  EXPECT_TRUE(gateway.server.wait_for_log(R"("tool":"echo","upstream":"fx")")) << gateway.server.log_tail();
  // The upstream's own errors come through with their code.
  auto const unknown = call_tool(port, session, "no_such_tool");
  EXPECT_EQ(unknown.at("error").at("code").as_int64(), -32602);

  // /ready's mcp_servers check is a round trip to the upstream.
  auto const ready = json::parse(ready_body(gateway.server));
  auto const& check = ready.at("checks").at("mcp_servers");
  EXPECT_EQ(check.at("status").as_string(), "healthy") << ready;
  EXPECT_NE(std::string(check.at("detail").as_string()).find("fx: ready (ping"), std::string::npos) << ready;
  // Each upstream on its own too, with its round trip.
  auto const& part = check.at("parts").at("fx");
  EXPECT_EQ(part.at("status").as_string(), "healthy") << ready;
  EXPECT_GT(part.at("latency_ms").to_number<double>(), 0) << ready;
  auto const metrics = http_request(gateway.server.admin_port(), "GET", "/metrics", {}, "").body;
  EXPECT_NE(metrics.find(R"(mcp_upstream_requests_total{method="tools/call",status="ok",upstream="fx"} 1)"),
            std::string::npos);
  EXPECT_NE(metrics.find(R"(mcp_upstream_up{upstream="fx"} 1)"), std::string::npos);
}

TEST(Gateway, AStatelessClientUsesASessionfulUpstream) {
  Gateway gateway({fixtures_upstream()});
  auto headers = mcp_headers();
  headers.insert(headers.end(), {{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "tools/call"}, {"Mcp-Name", "echo"}});
  auto const reply = http_request(
      gateway.server.port(), "POST", "/mcp", headers,
      R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"message":"new to old"},)"
      R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})");
  auto const message = answer(reply);
  EXPECT_EQ(text_of(message), "new to old") << reply.body;
  EXPECT_EQ(message.at("result").at("resultType").as_string(), "complete");
}

// A 2026-07-28 client cannot be sent a request: a 2025 upstream's elicitation during its call comes
// back as an input_required round, and the retry with the answer completes the upstream's call.
TEST(Gateway, AStatelessClientAnswersAnUpstreamsElicitationInARound) {
  Gateway gateway({fixtures_upstream()});
  auto const port = gateway.server.port();
  std::string const call = R"("name":"test_elicitation","arguments":{"message":"Your name?"})";
  auto const first = stateless_request(port, "tools/call", "test_elicitation", call, R"({"elicitation":{}})");
  ASSERT_TRUE(first.contains("result")) << first;
  auto const& round = first.at("result").as_object();
  ASSERT_EQ(round.at("resultType").as_string(), "input_required") << first;
  auto const& requests = round.at("inputRequests").as_object();
  ASSERT_EQ(requests.size(), 1u) << first;
  std::string const key(requests.begin()->key());
  EXPECT_EQ(requests.begin()->value().at("method").as_string(), "elicitation/create");
  EXPECT_EQ(requests.begin()->value().at("params").at("message").as_string(), "Your name?");
  std::string const state(round.at("requestState").as_string());
  std::string const answer_params =
      call + R"(,"inputResponses":{")" + key + R"(":{"action":"accept","content":{"response":"Ada"}}})";

  // An altered requestState is refused, and the call it came from still waits for its answer.
  auto forged = state;
  forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';
  auto const refused = stateless_request(port, "tools/call", "test_elicitation",
                                         answer_params + R"(,"requestState":")" + forged + "\"",
                                         R"({"elicitation":{}})");
  EXPECT_EQ(refused.at("error").at("code").as_int64(), -32602) << refused;

  auto const done = stateless_request(port, "tools/call", "test_elicitation",
                                      answer_params + R"(,"requestState":")" + state + "\"", R"({"elicitation":{}})");
  ASSERT_TRUE(done.contains("result")) << done;
  EXPECT_EQ(done.at("result").at("resultType").as_string(), "complete") << done;
  EXPECT_EQ(text_of(done), R"(User response: action=accept, content={"response":"Ada"})") << done;

  // The call has ended: its requestState names nothing that waits any more.
  auto const replayed = stateless_request(port, "tools/call", "test_elicitation",
                                          answer_params + R"(,"requestState":")" + state + "\"",
                                          R"({"elicitation":{}})");
  EXPECT_EQ(replayed.at("error").at("code").as_int64(), -32602) << replayed;
  EXPECT_NE(error_of(replayed).find("no longer waits"), std::string::npos) << replayed;
}

// On the shared stdio child nothing says which call a server request belongs to: a call whose
// round is with its client (who may never come back) must not make another client's requests
// unroutable.
TEST(Gateway, AStatelessCallWaitingForItsClientLeavesTheNextClientsRoundsRoutable) {
  Gateway gateway({fixtures_upstream()});
  auto const port = gateway.server.port();
  for (std::string const who : {"first", "second", "third"}) {
    auto const round = stateless_request(port, "tools/call", "test_elicitation",
                                         R"("name":"test_elicitation","arguments":{"message":")" + who + "\"}",
                                         R"({"elicitation":{}})");
    ASSERT_TRUE(round.contains("result")) << who << ": " << round;
    EXPECT_EQ(round.at("result").at("resultType").as_string(), "input_required") << who << ": " << round;
    EXPECT_EQ(round.at("result").at("inputRequests").as_object().begin()->value().at("params").at("message").as_string(), who);
  }
}

// What the client did not declare it can give is not asked of it: the upstream's request is
// refused with -32021, which reaches the client as the call's error.
TEST(Gateway, AStatelessClientWithoutTheCapabilityGetsMissingCapability) {
  Gateway gateway({fixtures_upstream()});
  auto const refused = stateless_request(gateway.server.port(), "tools/call", "test_elicitation",
                                         R"("name":"test_elicitation","arguments":{"message":"Your name?"})");
  ASSERT_TRUE(refused.contains("error")) << refused;
  EXPECT_EQ(refused.at("error").at("code").as_int64(), -32021) << refused;
  EXPECT_TRUE(refused.at("error").at("data").at("requiredCapabilities").as_object().contains("elicitation"))
      << refused;
  // The gateway still serves that client.
  auto const echoed = stateless_request(gateway.server.port(), "tools/call", "echo",
                                        R"("name":"echo","arguments":{"message":"still here"})");
  EXPECT_EQ(text_of(echoed), "still here") << echoed;
}

// The other way round: a 2026-07-28 upstream handler's input_required result reaches a client of
// the session revisions as requests on its call's stream, and their answers complete the call.
TEST(Gateway, AnInputRequiredResultReachesASessionClientAsARequestThroughTheGateway) {
  Gateway gateway({fixtures_upstream()});
  auto const port = gateway.server.port();
  auto const session = initialize_with(port, R"({"elicitation":{}})");
  RawConnection stream(port);
  ASSERT_TRUE(stream.send(request_text(
      port, "POST", "/mcp", mcp_headers(session),
      R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"test_input_required_result_elicitation"}})",
      true)));
  std::string received;
  ASSERT_TRUE(read_until(stream.fd(), received, "elicitation/create")) << received;
  auto const request = event_with(received, "elicitation/create");
  EXPECT_EQ(request.at("params").at("message").as_string(), "What is your name?") << request;
  auto const answered = http_request(
      port, "POST", "/mcp", mcp_headers(session),
      R"({"jsonrpc":"2.0","id":")" + std::string(request.at("id").as_string()) +
          R"(","result":{"action":"accept","content":{"name":"Grace"}}})");
  EXPECT_EQ(answered.status, 202) << answered.body;
  EXPECT_TRUE(read_until(stream.fd(), received, "Hello, Grace!")) << received;
}

TEST(Gateway, ProgressReachesTheClientThatAskedForIt) {
  Gateway gateway({fixtures_upstream()});
  expect_progress_round_trip(gateway.server.port(), initialize_session(gateway.server.port()));
}

TEST(Gateway, AnUpstreamsSamplingRequestReachesTheClientWhoseCallCausedIt) {
  Gateway gateway({fixtures_upstream()});
  expect_sampling_round_trip(gateway.server.port());
}

TEST(Gateway, AClientSessionsChildThatDiesFailsTheCallAtOnceAndIsReplaced) {
  Gateway gateway({fake_upstream()});
  auto const port = gateway.server.port();
  auto const session = initialize_session(port);
  auto const crashed = call_tool(port, session, "crash");
  EXPECT_EQ(crashed.at("error").at("code").as_int64(), -32603) << crashed;
  EXPECT_NE(error_of(crashed).find("exit code 3"), std::string::npos) << crashed;
  EXPECT_NE(error_of(crashed).find("about to crash: the database is gone"), std::string::npos) << crashed;
  // Its next call gets a new child (its state is gone, as the log says).
  EXPECT_EQ(text_of(call_tool(port, session, "echo", R"({"message":"again"})")), "again");
  EXPECT_TRUE(wait_until([&] {
    auto const log = gateway.server.log();  // replaced by the call, or ended by the sweep first
    return log.find("\"upstream_client_child_replaced\"") != std::string::npos ||
           log.find(R"("reason":"its child exited")") != std::string::npos;
  }, 10s)) << gateway.server.log_tail();
}

TEST(Gateway, ASupervisedChildThatDiesMidCallFailsTheCallAtOnceAndIsRestarted) {
  Gateway gateway({fake_upstream()}, {"--set", "upstreams.fake.sessions=shared"});
  auto const port = gateway.server.port();
  auto const session = initialize_session(port);
  auto const started = std::chrono::steady_clock::now();
  auto const crashed = call_tool(port, session, "crash");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s) << "the call waited for a timeout";
  EXPECT_EQ(crashed.at("error").at("code").as_int64(), -32603) << crashed;
  auto const message = error_of(crashed);
  EXPECT_NE(message.find("exit code 3"), std::string::npos) << message;
  EXPECT_NE(message.find("about to crash: the database is gone"), std::string::npos) << message;
  // Restarted after its backoff, it serves again.
  ASSERT_TRUE(wait_until([&] { return gateway.server.log().find("\"upstream_restarting\"") != std::string::npos; }, 30s));
  ASSERT_TRUE(wait_until([&] { return text_of(call_tool(port, session, "echo", R"({"message":"back"})")) == "back"; }, 30s,
                         100ms))
      << gateway.server.log_tail();
  auto const metrics = http_request(gateway.server.admin_port(), "GET", "/metrics", {}, "").body;
  EXPECT_NE(metrics.find(R"(mcp_upstream_restarts_total{upstream="fake"} 1)"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find(R"(mcp_upstream_requests_total{method="tools/call",status="failed",upstream="fake"} 1)"),
            std::string::npos);
}

TEST(Gateway, GarbageOnAnUpstreamsStdoutIsLoggedAndSkipped) {
  Gateway gateway({fake_upstream()});
  auto const session = initialize_session(gateway.server.port());
  EXPECT_EQ(text_of(call_tool(gateway.server.port(), session, "garbage")), "after garbage");
  EXPECT_TRUE(gateway.server.wait_for_log("this is not JSON-RPC")) << gateway.server.log_tail();
  EXPECT_NE(gateway.server.log().find("\"upstream_protocol_error\""), std::string::npos);
}

TEST(Gateway, ASlowCallTimesOutAndTheUpstreamIsToldToCancel) {
  Gateway gateway({fake_upstream()}, {"--set", "upstreams.fake.timeout_ms=300"});
  auto const session = initialize_session(gateway.server.port());
  auto const slow = call_tool(gateway.server.port(), session, "slow", R"({"ms":3000})");
  EXPECT_EQ(slow.at("error").at("code").as_int64(), -32603) << slow;
  EXPECT_NE(error_of(slow).find("within 300 ms"), std::string::npos) << slow;
  EXPECT_TRUE(gateway.server.wait_for_log("received {", 10s)) << gateway.server.log_tail();
  EXPECT_NE(gateway.server.log().find(R"(notifications/cancelled)"), std::string::npos);
  // The gateway keeps serving the upstream's other calls.
  EXPECT_EQ(text_of(call_tool(gateway.server.port(), session, "echo", R"({"message":"still here"})")), "still here");
}

TEST(Gateway, AClientCancellationReachesTheUpstream) {
  Gateway gateway({fake_upstream()});
  auto const port = gateway.server.port();
  auto const session = initialize_session(port);
  RawConnection stream(port);
  ASSERT_TRUE(stream.send(request_text(port, "POST", "/mcp", mcp_headers(session),
                                       R"({"jsonrpc":"2.0","id":"c1","method":"tools/call","params":{"name":"slow","arguments":{"ms":5000}}})",
                                       true)));
  ASSERT_TRUE(gateway.server.wait_for_log("slow call started", 10s)) << gateway.server.log_tail();
  http_request(port, "POST", "/mcp", mcp_headers(session),
               R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"c1","reason":"user"}})");
  EXPECT_TRUE(gateway.server.wait_for_log("received {", 10s)) << gateway.server.log_tail();
  EXPECT_NE(gateway.server.log().find("the client cancelled the request"), std::string::npos);
}

TEST(Gateway, ACrashLoopStopsSupervisionAndSaysWhy) {
  Gateway gateway({fake_upstream("--fail-at-start")},
                  {"--set", "upstreams.fake.crash_loop_limit=2", "--set", "upstreams.fake.restart_backoff_ms=50"}, false);
  ASSERT_TRUE(gateway.server.wait_for_log("\"upstream_crash_loop\"", 30s)) << gateway.server.log_tail();
  EXPECT_NE(gateway.server.log().find("cannot open the notes directory"), std::string::npos);
  auto const ready = json::parse(ready_body(gateway.server));
  auto const& check = ready.at("checks").at("mcp_servers");
  EXPECT_EQ(check.at("status").as_string(), "unhealthy") << ready;
  EXPECT_NE(std::string(check.at("detail").as_string()).find("crash loop"), std::string::npos) << ready;
  EXPECT_EQ(check.at("parts").at("fake").at("status").as_string(), "unhealthy") << ready;
  auto const session = initialize_session(gateway.server.port());
  EXPECT_TRUE(tool_names(gateway.server.port(), session).empty());
}

TEST(Gateway, AnOptionalUpstreamThatIsDownOnlyDegradesReadiness) {
  Gateway gateway({fake_upstream("--fail-at-start")},
                  {"--set", "upstreams.fake.required=false", "--set", "upstreams.fake.restart=never"}, false);
  ASSERT_TRUE(wait_until([&] { return ready_body(gateway.server).find("restart = \\\"never\\\"") != std::string::npos; },
                         30s))
      << ready_body(gateway.server);
  auto const ready = json::parse(ready_body(gateway.server));
  EXPECT_EQ(ready.at("checks").at("mcp_servers").at("status").as_string(), "degraded") << ready;
  EXPECT_EQ(ready.at("status").as_string(), "ready") << ready;
}

TEST(Gateway, ACursorThatNeverAdvancesEndsTheListing) {
  Gateway gateway({fake_upstream("--stuck-cursor")});
  EXPECT_TRUE(gateway.server.wait_for_log("\"upstream_list_truncated\"")) << gateway.server.log_tail();
  auto const session = initialize_session(gateway.server.port());
  // Its tools once each, and none of the gateway's own demo tools.
  EXPECT_EQ(tool_names(gateway.server.port(), session),
            (std::vector<std::string>{"echo", "crash", "garbage", "slow", "remember", "recall", "count", "crash_once",
                                      "crash_once_unsafe", "touch", "ask_later"}));
}

TEST(Gateway, SeveralUpstreamsArePrefixedByName) {
  Gateway gateway({fixtures_upstream(), fake_upstream()});
  ASSERT_TRUE(two_upstreams_ready(gateway.server)) << gateway.server.log_tail();
  auto const session = initialize_session(gateway.server.port());
  auto const names = tool_names(gateway.server.port(), session);
  EXPECT_TRUE(contains(names, "fx__echo"));
  EXPECT_TRUE(contains(names, "fake__echo"));
  EXPECT_EQ(text_of(call_tool(gateway.server.port(), session, "fake__echo", R"({"message":"b"})")), "b");
  EXPECT_EQ(text_of(call_tool(gateway.server.port(), session, "fx__echo", R"({"message":"a"})")), "a");
}

TEST(Gateway, TheSeparatorBetweenUpstreamAndToolNamesIsConfigurable) {
  Gateway gateway({fixtures_upstream(), fake_upstream()}, {"--set", "server.upstream_separator=."});
  ASSERT_TRUE(two_upstreams_ready(gateway.server)) << gateway.server.log_tail();
  auto const session = initialize_session(gateway.server.port());
  EXPECT_TRUE(contains(tool_names(gateway.server.port(), session), "fx.echo"));
  EXPECT_EQ(text_of(call_tool(gateway.server.port(), session, "fake.echo", R"({"message":"b"})")), "b");
  // Only characters every client accepts in a tool name.
  auto const refused = run_server_command({"print-config", "--set", "server.upstream_separator=::"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("server.upstream_separator"), std::string::npos) << refused.output;
}

TEST(Gateway, ShutdownEndsAChildThatIgnoresSigterm) {
  Gateway gateway({fake_upstream("--ignore-sigterm")});
  pid_t const child = fake_child_pid(gateway.server);
  ASSERT_GT(child, 0) << gateway.server.log_tail();
  ASSERT_EQ(::kill(child, 0), 0);
  gateway.server.signal(SIGTERM);
  EXPECT_EQ(gateway.server.wait_exit(30s), 0) << gateway.server.log_tail();
  EXPECT_TRUE(wait_until([&] { return ::kill(child, 0) != 0; }, 10s)) << "the child outlived the gateway";
}

TEST(Gateway, ChildrenDieWithAGatewayThatIsKilled) {
  Gateway gateway({fake_upstream("--ignore-sigterm")});
  pid_t const child = fake_child_pid(gateway.server);
  ASSERT_GT(child, 0) << gateway.server.log_tail();
  gateway.server.signal(SIGKILL);
  gateway.server.wait_exit(10s);
  EXPECT_TRUE(wait_until([&] { return ::kill(child, 0) != 0; }, 10s)) << "the child outlived the gateway";
}

// The reference server of the MCP project (npm, pinned in tests/conformance/package-lock.json).
TEST(Gateway, PerClientSessionsKeepEachClientsStateApart) {
  Gateway gateway({fake_upstream()});
  auto const port = gateway.server.port();
  auto const alice = initialize_session(port);
  auto const bob = initialize_session(port);
  EXPECT_EQ(text_of(call_tool(port, alice, "remember", R"({"value":"alice's secret"})")), "remembered");
  EXPECT_EQ(text_of(call_tool(port, bob, "recall")), "(nothing)");
  EXPECT_EQ(text_of(call_tool(port, alice, "recall")), "alice's secret");
  // The supervised child and one child per client session.
  auto const metrics = http_request(gateway.server.admin_port(), "GET", "/metrics", {}, "").body;
  EXPECT_NE(metrics.find(R"(mcp_upstream_sessions{upstream="fake"} 3)"), std::string::npos) << metrics;
  // A session that ends takes its child with it.
  auto const ended = http_request(port, "DELETE", "/mcp", mcp_headers(alice), "");
  EXPECT_EQ(ended.status, 204);
  EXPECT_TRUE(gateway.server.wait_for_log(R"("reason":"its session ended")", 30s)) << gateway.server.log_tail();
  EXPECT_TRUE(wait_until([&] {
    return http_request(gateway.server.admin_port(), "GET", "/metrics", {}, "").body.find(
               R"(mcp_upstream_sessions{upstream="fake"} 2)") != std::string::npos;
  }, 30s));
}

TEST(Gateway, ASharedUpstreamSessionIsTheSameForEveryClient) {
  Gateway gateway({fake_upstream()}, {"--set", "upstreams.fake.sessions=shared"});
  auto const port = gateway.server.port();
  auto const alice = initialize_session(port);
  auto const bob = initialize_session(port);
  EXPECT_EQ(text_of(call_tool(port, alice, "remember", R"({"value":"shared note"})")), "remembered");
  EXPECT_EQ(text_of(call_tool(port, bob, "recall")), "shared note");
}

TEST(Gateway, PerClientChildrenAreBounded) {
  Gateway gateway({fake_upstream()}, {"--set", "upstreams.fake.max_children=1"});
  auto const port = gateway.server.port();
  auto const first = initialize_session(port);
  auto const second = initialize_session(port);
  EXPECT_EQ(text_of(call_tool(port, first, "echo", R"({"message":"one"})")), "one");
  auto const refused = call_tool(port, second, "echo", R"({"message":"two"})");
  EXPECT_NE(error_of(refused).find("max_children"), std::string::npos) << refused;
}

// SIGTERM while a client's GET stream, a slow call and a 2026-07-28 round waiting for its client
// are open: the gateway exits 0 after the grace period, and (under AddressSanitizer, where this
// test also runs) touches nothing it has destroyed on the way out.
TEST(Gateway, ShutdownWithStreamsCallsAndRoundsOpenIsClean) {
  Gateway gateway({fixtures_upstream()}, {"--set", "server.shutdown_grace_s=1"});
  auto const port = gateway.server.port();
  auto const session = initialize_session(port);
  auto listening = open_standalone_stream(port, session);
  auto const round = stateless_request(port, "tools/call", "test_elicitation",
                                       R"("name":"test_elicitation","arguments":{"message":"left waiting"})",
                                       R"({"elicitation":{}})");
  ASSERT_EQ(round.at("result").at("resultType").as_string(), "input_required") << round;
  RawConnection slow(port);
  std::string received;
  ASSERT_TRUE(slow.send(request_text(
      port, "POST", "/mcp", mcp_headers(session),
      R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"simulate_workload","arguments":{"duration_ms":60000,"steps":60},"_meta":{"progressToken":"p"}}})",
      true)));
  ASSERT_TRUE(read_until(slow.fd(), received, "notifications/progress")) << received;

  gateway.server.signal(SIGTERM);
  EXPECT_EQ(gateway.server.wait_exit(60s), 0) << gateway.server.log_tail();
  EXPECT_TRUE(gateway.server.wait_for_log("\"stopped\"", 1s)) << gateway.server.log_tail();
}

TEST(Gateway, AtShutdownEveryChildIsAskedToStopBeforeItIsKilled) {
  Gateway gateway({fake_upstream()});
  auto const session = initialize_session(gateway.server.port());
  EXPECT_EQ(text_of(call_tool(gateway.server.port(), session, "echo", R"({"message":"x"})")), "x");  // its own child
  gateway.server.signal(SIGTERM);
  EXPECT_EQ(gateway.server.wait_exit(30s), 0) << gateway.server.log_tail();
  // The supervised child and the client session's both stopped on their own (end of input or
  // SIGTERM, whichever they saw first), neither SIGKILLed.
  auto const log = gateway.server.log();
  std::size_t clean = 0, killed = 0;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(R"(_exited")") == std::string::npos) continue;
    if (line.find(R"("exit":"exit code 0")") != std::string::npos) ++clean;
    if (line.find("signal 9") != std::string::npos) ++killed;
  }
  EXPECT_EQ(clean, 2u) << log;
  EXPECT_EQ(killed, 0u) << log;
}

TEST(Gateway, AProxiedToolIsCachedOnlyWhereTheConfigSaysSo) {
  Gateway gateway({fake_upstream()}, {"--set", "upstreams.fake.sessions=shared", "--set",
                                      "upstreams.fake.cache_ttl_s=count=60"});
  auto const session = initialize_session(gateway.server.port());
  auto const first = text_of(call_tool(gateway.server.port(), session, "count"));
  EXPECT_EQ(text_of(call_tool(gateway.server.port(), session, "count")), first) << "the second call was not cached";
  // Other tools are not cached: recall sees what remember changed.
  EXPECT_EQ(text_of(call_tool(gateway.server.port(), session, "recall")), "(nothing)");
  call_tool(gateway.server.port(), session, "remember", R"({"value":"v"})");
  EXPECT_EQ(text_of(call_tool(gateway.server.port(), session, "recall")), "v");
}

TEST(Gateway, WithoutCacheConfigEveryCallReachesTheUpstream) {
  Gateway gateway({fake_upstream()}, {"--set", "upstreams.fake.sessions=shared"});
  auto const session = initialize_session(gateway.server.port());
  EXPECT_EQ(text_of(call_tool(gateway.server.port(), session, "count")), "1");
  EXPECT_EQ(text_of(call_tool(gateway.server.port(), session, "count")), "2");
}

// A read-only tool whose child dies is tried again (on a new child); one without that promise is not.
TEST(Gateway, OnlyReadOnlyOrIdempotentToolsAreRetried) {
  auto const marker = std::filesystem::temp_directory_path() / ("prodmcp-crash-once-" + std::to_string(::getpid()));
  std::filesystem::remove(marker);
  Gateway gateway({fake_upstream("--marker " + marker.string())});
  auto const port = gateway.server.port();
  auto const session = initialize_session(port);
  EXPECT_EQ(text_of(call_tool(port, session, "crash_once")), "recovered") << gateway.server.log_tail();
  EXPECT_TRUE(gateway.server.wait_for_log("\"upstream_call_retried\"")) << gateway.server.log_tail();
  std::filesystem::remove(marker);
  auto const unsafe = call_tool(port, session, "crash_once_unsafe");
  EXPECT_NE(error_of(unsafe).find("exit code 5"), std::string::npos) << unsafe;
  EXPECT_EQ(text_of(call_tool(port, session, "crash_once_unsafe")), "recovered");  // the next call, by the client
  std::filesystem::remove(marker);
}

TEST(Gateway, CompletionOfAProxiedPromptOrTemplateIsTheUpstreamsOwn) {
  // Two upstreams, so prompts carry a prefix the upstream must not see.
  Gateway gateway({fixtures_upstream(), "other=" + server_binary() + " --stdio"});
  ASSERT_TRUE(wait_until([&] {
    auto const log = gateway.server.log();
    return log.find(R"("upstream_ready")") != log.rfind(R"("upstream_ready")");
  }, 30s)) << gateway.server.log_tail();
  auto const port = gateway.server.port();
  auto const session = initialize_session(port);
  auto const complete = [&](std::string const& ref, std::string const& argument) {
    auto const reply = http_request(port, "POST", "/mcp", mcp_headers(session),
                                    R"({"jsonrpc":"2.0","id":3,"method":"completion/complete","params":{"ref":)" + ref +
                                        R"(,"argument":)" + argument + "}}");
    return answer(reply);
  };
  auto const prompt = complete(R"({"type":"ref/prompt","name":"fx__test_prompt_with_arguments"})",
                               R"({"name":"arg1","value":"par"})");
  ASSERT_TRUE(prompt.contains("result")) << prompt;
  EXPECT_EQ(prompt.at("result").at("completion").at("values"), json::parse(R"(["paris","park","party"])")) << prompt;
  auto const uri_template = complete(R"({"type":"ref/resource","uri":"prodmcp://http-status/{code}"})",
                                     R"({"name":"code","value":"50"})");
  ASSERT_TRUE(uri_template.contains("result")) << uri_template;
  auto const& values = uri_template.at("result").at("completion").at("values").as_array();
  EXPECT_FALSE(values.empty()) << uri_template;
  for (auto const& value : values) EXPECT_TRUE(value.as_string().starts_with("50")) << uri_template;
}

TEST(Gateway, ASubscriptionReachesTheUpstreamAndItsUpdatesReachTheSubscriber) {
  Gateway gateway({fake_upstream()}, {"--set", "upstreams.fake.sessions=shared"});
  auto const port = gateway.server.port();
  auto const session = initialize_session(port);
  auto listening = open_standalone_stream(port, session);  // where updates arrive
  std::string received;
  EXPECT_EQ(text_of(call_tool(port, session, "touch")), "touched, nobody subscribed");
  auto const subscribed = http_request(port, "POST", "/mcp", mcp_headers(session),
                                       R"({"jsonrpc":"2.0","id":4,"method":"resources/subscribe","params":{"uri":"fake://note"}})");
  EXPECT_TRUE(answer(subscribed).contains("result")) << subscribed.body;
  EXPECT_TRUE(gateway.server.wait_for_log("subscribed fake://note")) << gateway.server.log_tail();
  EXPECT_EQ(text_of(call_tool(port, session, "touch")), "touched, told");
  EXPECT_TRUE(read_until(listening.fd(), received, R"("method":"notifications/resources/updated")")) << received;
  EXPECT_NE(received.find(R"("uri":"fake://note")"), std::string::npos) << received;
}

TEST(Gateway, AClientSessionsChildAsksItsClientOutsideAnyCallOnItsStream) {
  Gateway gateway({fake_upstream()});
  auto const port = gateway.server.port();
  auto const session = initialize_with(port, R"({"roots":{}})");
  auto listening = open_standalone_stream(port, session);
  // The call is answered; then the child asks roots/list on its own, and its client answers.
  answer_roots_asked_later(port, session, listening, "file:///srv/notes");
  EXPECT_TRUE(gateway.server.wait_for_log("file:///srv/notes")) << gateway.server.log_tail();
  EXPECT_NE(gateway.server.log().find("roots answer: "), std::string::npos);
}

namespace {

json::object upstreams_body(ServerUnderTest const& server) {
  auto const reply = http_request(server.admin_port(), "GET", "/upstreams", {}, "");
  EXPECT_EQ(reply.status, 200) << reply.body;
  boost::system::error_code ec;
  auto value = json::parse(reply.body, ec);
  return !ec && value.is_object() ? value.as_object() : json::object{};
}

json::object upstream_named(ServerUnderTest const& server, std::string_view name) {
  auto const body = upstreams_body(server);
  if (auto const* list = body.if_contains("upstreams"); list && list->is_array())
    for (auto const& one : list->as_array())
      if (one.at("name").as_string() == name) return one.as_object();
  return {};
}

// Whether `upstream` (as /upstreams shows it) has `key` equal to `value`.
bool has(json::object const& upstream, std::string_view key, json::value const& value) {
  auto const* field = upstream.if_contains(key);
  return field && *field == value;
}

HttpReply restart(ServerUnderTest const& server, std::string const& body,
                  std::string const& content_type = "application/json") {
  return http_request(server.admin_port(), "POST", "/upstreams/restart", {{"Content-Type", content_type}}, body);
}

}  // namespace

TEST(Gateway, UpstreamsShowsEachUpstreamsProcessExitsAndTools) {
  Gateway gateway({fake_upstream()}, {"--set", "upstreams.fake.sessions=shared"});
  auto const port = gateway.server.port();
  auto const ready = upstream_named(gateway.server, "fake");
  ASSERT_FALSE(ready.empty()) << json::serialize(upstreams_body(gateway.server));
  EXPECT_EQ(ready.at("state").as_string(), "ready");
  EXPECT_EQ(ready.at("transport").as_string(), "stdio");
  EXPECT_EQ(ready.at("sessions").as_string(), "shared");
  EXPECT_EQ(ready.at("prefix").as_string(), "") << "the only upstream's tools keep their own names";
  EXPECT_EQ(ready.at("breaker").as_string(), "closed");
  EXPECT_EQ(ready.at("restarts").as_int64(), 0);
  EXPECT_FALSE(ready.contains("last_exit"));
  auto const pid = ready.at("process").at("pid").as_int64();
  EXPECT_GT(pid, 0);
  EXPECT_EQ(ready.at("offered").at("tools").as_int64(), 11) << ready;
  auto const& tools = ready.at("tools").as_array();
  EXPECT_NE(std::find(tools.begin(), tools.end(), json::value("crash")), tools.end()) << ready;

  // Its failures are counted from 0, so the first one shows in a rate().
  auto const metrics = http_request(gateway.server.admin_port(), "GET", "/metrics", {}, "").body;
  EXPECT_NE(metrics.find(R"(mcp_upstream_requests_total{method="tools/call",status="failed",upstream="fake"} 0)"),
            std::string::npos);

  // A crash: the last exit in its own words, a restart counted, a new process.
  auto const session = initialize_session(port);
  call_tool(port, session, "crash");
  json::object after;
  ASSERT_TRUE(wait_until([&] {
    after = upstream_named(gateway.server, "fake");
    return has(after, "state", "ready") && has(after, "restarts", 1);
  }, 30s)) << json::serialize(after);
  auto const& exit = after.at("last_exit");
  EXPECT_EQ(exit.at("code").as_int64(), 3) << exit;
  EXPECT_TRUE(exit.at("failed").as_bool());
  auto const& lines = exit.at("stderr_tail").as_array();
  EXPECT_NE(std::find(lines.begin(), lines.end(), json::value("about to crash: the database is gone")), lines.end())
      << exit;
  EXPECT_GT(exit.at("at_unix_ms").as_int64(), 0);
  EXPECT_NE(after.at("process").at("pid").as_int64(), pid);
}

TEST(Gateway, AnUpstreamRestartsWhenAskedEvenAfterACrashLoop) {
  Gateway gateway({fake_upstream("--fail-at-start")},
                  {"--set", "upstreams.fake.crash_loop_limit=2", "--set", "upstreams.fake.restart_backoff_ms=50"}, false);
  ASSERT_TRUE(wait_until([&] { return has(upstream_named(gateway.server, "fake"), "state", "failed"); }, 30s))
      << gateway.server.log_tail();
  // Bad requests are refused with what to send instead, and change nothing.
  EXPECT_EQ(restart(gateway.server, R"({"upstream":"fake"})", "text/plain").status, 415);
  EXPECT_EQ(restart(gateway.server, R"(["fake"])").status, 400);
  EXPECT_EQ(restart(gateway.server, R"({"upstream":7})").status, 400);
  EXPECT_EQ(http_request(gateway.server.admin_port(), "GET", "/upstreams/restart", {}, "").status, 405);
  auto const unknown = restart(gateway.server, R"({"upstream":"nope"})");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.body.find(R"("upstreams":["fake"])"), std::string::npos) << unknown.body;
  EXPECT_EQ(upstream_named(gateway.server, "fake").at("state"), "failed");

  // Asked, supervision starts again with its count cleared: two more failed runs before it gives up.
  auto const asked = restart(gateway.server, R"({"upstream":"fake"})");
  EXPECT_EQ(asked.status, 202) << asked.body;
  ASSERT_TRUE(gateway.server.wait_for_log("\"upstream_restart_requested\"")) << gateway.server.log_tail();
  ASSERT_TRUE(wait_until([&] {
    auto const log = gateway.server.log();
    auto const first = log.find("\"upstream_crash_loop\"");
    return first != std::string::npos && log.find("\"upstream_crash_loop\"", first + 1) != std::string::npos;
  }, 30s)) << gateway.server.log_tail();
}

TEST(Gateway, ARestartAskedForEndsTheChildAndStartsANewOneAtOnce) {
  Gateway gateway({fake_upstream()}, {"--set", "upstreams.fake.restart=never"});
  auto const pid = upstream_named(gateway.server, "fake").at("process").at("pid").as_int64();
  auto const asked = restart(gateway.server, R"({"upstream":"fake"})");
  ASSERT_EQ(asked.status, 202) << asked.body;
  json::object after;
  // restart = "never" is about exits it did not ask for: this one starts again.
  ASSERT_TRUE(wait_until([&] {
    after = upstream_named(gateway.server, "fake");
    return has(after, "state", "ready") && after.contains("process") && !has(after.at("process").as_object(), "pid", pid);
  }, 30s)) << json::serialize(after) << gateway.server.log_tail();
  EXPECT_EQ(after.at("restarts").as_int64(), 0) << after;  // not an exit of its own
  EXPECT_EQ(::kill(static_cast<pid_t>(pid), 0), -1);  // the old child is gone
  auto const session = initialize_session(gateway.server.port());
  EXPECT_EQ(text_of(call_tool(gateway.server.port(), session, "echo", R"({"message":"new child"})")), "new child");
}

TEST(Gateway, UpstreamsOfAServerWithoutAnyIsAnEmptyList) {
  ServerUnderTest server({"--set", "server.admin_listen=127.0.0.1:0"});
  EXPECT_EQ(json::serialize(upstreams_body(server)), R"({"upstreams":[]})");
}

namespace {

json::object trace_page(ServerUnderTest const& server, std::string const& query = {}) {
  auto const reply = http_request(server.admin_port(), "GET", "/trace" + query, {}, "");
  EXPECT_EQ(reply.status, 200) << reply.body;
  boost::system::error_code ec;
  auto value = json::parse(reply.body, ec);
  return !ec && value.is_object() ? value.as_object() : json::object{};
}

}  // namespace

TEST(Gateway, TheTraceHasBothLegsOfEachProxiedCall) {
  Gateway gateway({fake_upstream()});
  auto const port = gateway.server.port();
  auto const session = initialize_session(port);
  auto headers = mcp_headers(session);
  headers.emplace_back("X-Correlation-ID", "trace-me-1");
  auto const reply = http_request(port, "POST", "/mcp", headers,
                                  R"({"jsonrpc":"2.0","id":"call-7","method":"tools/call","params":{"name":"echo",)"
                                  R"("arguments":{"message":"traced"}}})");
  ASSERT_EQ(text_of(answer(reply)), "traced") << reply.body;
  auto const crashed = call_tool(port, session, "crash");
  ASSERT_TRUE(crashed.contains("error")) << crashed;

  auto const page = trace_page(gateway.server);
  auto const& calls = page.at("calls").as_array();
  ASSERT_EQ(calls.size(), 2u) << json::serialize(page);
  auto const& echo = calls[0].as_object();
  EXPECT_EQ(echo.at("correlation_id").as_string(), "trace-me-1");
  EXPECT_EQ(echo.at("client_id").as_string(), "call-7");
  EXPECT_EQ(echo.at("session").as_string(), session.substr(0, 8));
  EXPECT_EQ(echo.at("method").as_string(), "tools/call");
  EXPECT_EQ(echo.at("name").as_string(), "echo");
  EXPECT_EQ(echo.at("upstream").as_string(), "fake");
  EXPECT_EQ(echo.at("outcome").as_string(), "ok");
  auto const& legs = echo.at("legs").as_array();
  ASSERT_EQ(legs.size(), 1u);
  EXPECT_GT(legs[0].at("upstream_id").as_int64(), 0);
  EXPECT_EQ(legs[0].at("outcome").as_string(), "ok");
  auto const total = echo.at("total_ms").to_number<double>();
  auto const upstream = echo.at("upstream_ms").to_number<double>();
  EXPECT_GT(upstream, 0);
  EXPECT_GE(total, upstream);
  EXPECT_NEAR(echo.at("gateway_ms").to_number<double>(), total - upstream, 0.01);
  // The child died mid-call: the upstream leg failed, and the client got the exit in its words.
  auto const& failed = calls[1].as_object();
  EXPECT_EQ(failed.at("outcome").as_string(), "error");
  EXPECT_NE(std::string(failed.at("error").as_string()).find("exit code 3"), std::string::npos) << failed;
  EXPECT_EQ(failed.at("legs").at(0).at("outcome").as_string(), "failed");

  // Paged by sequence number; a cursor from before a restart starts again; bad queries say what to send.
  auto const next = page.at("next").as_int64();
  EXPECT_TRUE(trace_page(gateway.server, "?after=" + std::to_string(next)).at("calls").as_array().empty());
  EXPECT_EQ(trace_page(gateway.server, "?after=" + std::to_string(next - 1)).at("calls").as_array().size(), 1u);
  EXPECT_EQ(trace_page(gateway.server, "?after=999999").at("calls").as_array().size(), 2u);
  EXPECT_EQ(trace_page(gateway.server, "?limit=1").at("calls").as_array().size(), 1u);
  for (auto const* bad : {"?after=x", "?limit=0", "?limit=-1"})
    EXPECT_EQ(http_request(gateway.server.admin_port(), "GET", std::string("/trace") + bad, {}, "").status, 400) << bad;
}

// Calls that failed with a crashing child open the breaker; the restarted child gets probe calls
// at once instead of the breaker's 60 s wait.
TEST(Gateway, ARestartedChildIsProbedAtOnceInsteadOfWaitingOutTheBreaker) {
  Gateway gateway({fake_upstream()}, {"--set", "upstreams.fake.sessions=shared", "--set",
                                      "upstreams.fake.crash_loop_limit=50", "--set",
                                      "upstreams.fake.restart_backoff_ms=50"});
  auto const port = gateway.server.port();
  auto const session = initialize_session(port);
  for (int crash = 0; crash < 10 && !has(upstream_named(gateway.server, "fake"), "breaker", "open"); ++crash) {
    ASSERT_TRUE(wait_until([&] { return has(upstream_named(gateway.server, "fake"), "state", "ready"); }, 30s));
    call_tool(port, session, "crash");
  }
  ASSERT_TRUE(gateway.server.wait_for_log(R"("to":"open")")) << gateway.server.log_tail();
  ASSERT_TRUE(gateway.server.wait_for_log(R"("from":"open","to":"half_open")", 30s)) << gateway.server.log_tail();
  // Well within the 60 s wait: the new child answers, and three answers close the breaker.
  auto const started = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(text_of(call_tool(port, session, "echo", R"({"message":"probe"})")), "probe") << i;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s);
  EXPECT_TRUE(has(upstream_named(gateway.server, "fake"), "breaker", "closed"));
}
