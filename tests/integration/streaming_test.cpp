// SSE: progress on a POST stream, resuming a stream with Last-Event-ID, and the stateless wire.
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>
#include <signal.h>

#include "server_under_test.hpp"

namespace json = boost::json;
using namespace prodmcp::testing;

namespace {
// The data lines of an SSE body, with their event ids.
std::vector<std::pair<std::string, std::string>> sse_events(std::string const& body) {
  std::vector<std::pair<std::string, std::string>> events;
  std::string id, data;
  std::size_t position = 0;
  while (position < body.size()) {
    auto end = body.find('\n', position);
    if (end == std::string::npos) end = body.size();
    std::string const line = body.substr(position, end - position);
    position = end + 1;
    if (line.starts_with("id: ")) id = line.substr(4);
    else if (line.starts_with("data: ")) data = line.substr(6);
    else if (line.empty()) {
      if (!data.empty()) events.emplace_back(id, data);
      id.clear();
      data.clear();
    }
  }
  return events;
}
}  // namespace

TEST(Streaming, ProgressArrivesBeforeTheResultOnTheRequestStream) {
  ServerUnderTest server;
  auto const session = initialize_session(server.port());
  auto reply = http_request(server.port(), "POST", "/mcp", mcp_headers(session),
                            R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"test_tool_with_progress","_meta":{"progressToken":"p"}}})");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("Content-Type"), "text/event-stream");
  auto events = sse_events(reply.body);
  ASSERT_EQ(events.size(), 4u) << reply.body;
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(json::parse(events[i].second).at("method").as_string(), "notifications/progress");
  EXPECT_EQ(json::parse(events[3].second).at("id").as_int64(), 5);
  EXPECT_FALSE(events[3].first.empty());
}

TEST(Streaming, AClosedStreamIsResumedWithLastEventId) {
  ServerUnderTest server;
  auto const session = initialize_session(server.port());
  // test_reconnection closes the connection mid-call, after the priming event.
  auto first = http_request(server.port(), "POST", "/mcp", mcp_headers(session),
                            R"({"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"test_reconnection"}})");
  EXPECT_EQ(first.status, 200);
  auto const priming = first.body.substr(4, first.body.find('\n') - 4);
  ASSERT_FALSE(priming.empty());
  auto headers = mcp_headers(session);
  headers.emplace_back("Last-Event-ID", priming);
  auto resumed = http_request(server.port(), "GET", "/mcp", headers, "");
  EXPECT_EQ(resumed.status, 200);
  auto events = sse_events(resumed.body);
  ASSERT_FALSE(events.empty()) << resumed.body;
  EXPECT_EQ(json::parse(events.back().second).at("id").as_int64(), 6);
}

TEST(Streaming, StatelessRequestsCheckTheirMirroredHeaders) {
  ServerUnderTest server;
  std::string const body =
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"m"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})";
  auto headers = mcp_headers();
  headers.emplace_back("MCP-Protocol-Version", "2026-07-28");
  headers.emplace_back("Mcp-Method", "tools/call");
  auto missing_name = http_request(server.port(), "POST", "/mcp", headers, body);
  EXPECT_EQ(missing_name.status, 400);
  EXPECT_EQ(json::parse(missing_name.body).at("error").at("code").as_int64(), -32020);
  headers.emplace_back("Mcp-Name", "echo");
  auto ok = http_request(server.port(), "POST", "/mcp", headers, body);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(json::parse(ok.body).at("result").at("resultType").as_string(), "complete");
  EXPECT_EQ(http_request(server.port(), "GET", "/mcp", headers, "").status, 405);
  headers.back().second = "=?base64?ZWNobw==?=";  // "echo", as a client encoding every name sends it
  EXPECT_EQ(http_request(server.port(), "POST", "/mcp", headers, body).status, 200);
}

TEST(Streaming, AStreamedCallCancelledByTheClientIsLoggedAsCancelledAndEnds) {
  ServerUnderTest server;
  auto const session = initialize_session(server.port());
  RawConnection stream(server.port());
  ASSERT_TRUE(stream.send(request_text(
      server.port(), "POST", "/mcp", mcp_headers(session),
      R"({"jsonrpc":"2.0","id":"w1","method":"tools/call","params":{"name":"simulate_workload","arguments":{"duration_ms":20000,"steps":4}}})",
      true)));
  std::string received;
  ASSERT_TRUE(read_until(stream.fd(), received, "retry:")) << received;  // the call runs, its stream is open
  auto const cancelled = http_request(server.port(), "POST", "/mcp", mcp_headers(session),
                                      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"w1"}})");
  EXPECT_EQ(cancelled.status, 202);
  // Logged (not lost), and its stream ends without an answer, long before the work would have.
  EXPECT_TRUE(server.wait_for_log(R"("tool":"simulate_workload")", std::chrono::seconds(10))) << server.log_tail();
  EXPECT_NE(server.log().find(R"("status":"cancelled")"), std::string::npos) << server.log_tail();
  EXPECT_TRUE(read_until(stream.fd(), received, "0\r\n\r\n")) << received;
  EXPECT_EQ(received.find(R"("id":"w1")"), std::string::npos) << received;
}

// A 2026-07-28 subscriptions/listen stream runs until its client leaves. At SIGTERM it ends with
// its result, so the drain waits for nothing and the server exits long before the grace period.
TEST(Streaming, SigtermEndsAListenStreamInsteadOfWaitingOutTheGracePeriod) {
  ServerUnderTest server({"--set", "server.shutdown_grace_s=120"});
  auto headers = mcp_headers();
  headers.emplace_back("MCP-Protocol-Version", "2026-07-28");
  headers.emplace_back("Mcp-Method", "subscriptions/listen");
  RawConnection stream(server.port());
  ASSERT_TRUE(stream.send(request_text(
      server.port(), "POST", "/mcp", headers,
      R"({"jsonrpc":"2.0","id":"l1","method":"subscriptions/listen","params":{"notifications":{"toolsListChanged":true},)"
      R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})",
      true)));
  std::string received;
  ASSERT_TRUE(read_until(stream.fd(), received, "notifications/subscriptions/acknowledged")) << received;

  server.signal(SIGTERM);
  EXPECT_TRUE(read_until(stream.fd(), received, R"("result")", std::chrono::seconds(30))) << received;
  EXPECT_EQ(server.wait_exit(std::chrono::seconds(60)), 0) << server.log_tail();
  EXPECT_NE(server.log().find(R"("event":"drained")"), std::string::npos) << server.log_tail();
}
