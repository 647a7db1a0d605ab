// Every kind of bad input gets a clear error, and the server keeps serving a normal client after it:
// the server itself, and the same as a gateway in front of a stdio prodmcp-server (its checks come
// before any upstream, so the answers are the same).
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <thread>

#include "server_under_test.hpp"

namespace json = boost::json;
using namespace prodmcp::testing;

namespace {

class BadInput : public ::testing::TestWithParam<std::string> {
 protected:
  static std::vector<std::string> arguments(std::string const& setup) {
    if (setup == "direct") return {};
    return {"--upstream", "demo=" + server_binary() + " --stdio"};
  }
  void SetUp() override {
    if (GetParam() == "gateway") {
      ASSERT_TRUE(server_.wait_for_log("\"upstream_ready\"", std::chrono::seconds(30))) << server_.log_tail();
    }
    session_ = initialize_session(server_.port());
  }

  HttpReply post(std::string const& body, HeaderList headers) {
    return http_request(server_.port(), "POST", "/mcp", headers, body);
  }
  HttpReply post(std::string const& body) { return post(body, mcp_headers(session_)); }

  static std::int64_t rpc_code(HttpReply const& reply) {
    return json::parse(reply.body).at("error").at("code").as_int64();
  }

  // After each bad request, a normal client is still served.
  void TearDown() override {
    auto reply = post(R"({"jsonrpc":"2.0","id":99,"method":"ping"})");
    EXPECT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(reply.body, R"({"jsonrpc":"2.0","id":99,"result":{}})");
    EXPECT_TRUE(server_.running());
  }

  ServerUnderTest server_{arguments(GetParam())};
  std::string session_;
};

}  // namespace

INSTANTIATE_TEST_SUITE_P(Server, BadInput, ::testing::Values("direct", "gateway"),
                         [](::testing::TestParamInfo<std::string> const& info) { return info.param; });

TEST_P(BadInput, MalformedJsonIsAParseError) {
  auto reply = post(R"({"jsonrpc":"2.0","id":1,"method":)");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(rpc_code(reply), -32700);
}

TEST_P(BadInput, NotAJsonRpcRequestIsInvalidRequest) {
  for (auto body : {R"({"hello":"world"})", R"("text")", R"({"jsonrpc":"2.0","id":1})",
                    R"({"jsonrpc":"2.0","id":true,"method":"ping"})"}) {
    auto reply = post(body);
    EXPECT_EQ(reply.status, 400) << body;
    EXPECT_EQ(rpc_code(reply), -32600) << body;
  }
}

TEST_P(BadInput, UnknownMethodIsMethodNotFound) {
  auto reply = post(R"({"jsonrpc":"2.0","id":1,"method":"tools/explode"})");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(rpc_code(reply), -32601);
}

TEST_P(BadInput, WrongParamsAreInvalidParams) {
  for (auto body : {R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}})",
                    R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":[1]}})",
                    R"({"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":7}})",
                    R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":"forged"}})"}) {
    auto reply = post(body);
    EXPECT_EQ(rpc_code(reply), -32602) << body;
  }
}

TEST_P(BadInput, OversizedBodyIsRefusedBeforeItIsRead) {
  // Declares 2 MiB but sends only the headers: the 413 must come without the body.
  std::string raw = "POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    "Accept: application/json, text/event-stream\r\nContent-Length: 2097152\r\n\r\n{";
  auto reply = raw_request(server_.port(), raw, std::chrono::seconds(5));
  EXPECT_EQ(reply.status, 413);
  EXPECT_NE(reply.body.find("MAX_REQUEST_SIZE"), std::string::npos);
}

TEST_P(BadInput, OversizedChunkedBodyIsRefused) {
  std::string raw = "POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    "Accept: application/json, text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string const chunk(256 * 1024, ' ');
  for (int i = 0; i < 5; ++i) raw += "40000\r\n" + chunk + "\r\n";
  auto reply = raw_request(server_.port(), raw, std::chrono::seconds(5));
  EXPECT_EQ(reply.status, 413);
}

TEST_P(BadInput, WrongContentTypeIs415) {
  auto headers = mcp_headers(session_);
  headers[0].second = "text/plain";
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", headers).status, 415);
}

TEST_P(BadInput, AcceptWithoutEventStreamIs406) {
  auto headers = mcp_headers(session_);
  headers[1].second = "application/json";
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", headers).status, 406);
  headers[1].second = "text/html";
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", headers).status, 406);
}

TEST_P(BadInput, MissingSessionIs400AndUnknownOrEndedSessionIs404) {
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", mcp_headers()).status, 400);
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", mcp_headers("0123456789abcdef")).status, 404);
  auto const other = initialize_session(server_.port());
  auto ended = http_request(server_.port(), "DELETE", "/mcp", mcp_headers(other), "");
  EXPECT_EQ(ended.status, 204);
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", mcp_headers(other)).status, 404);
}

TEST_P(BadInput, UnsupportedProtocolVersionHeaderIs400) {
  auto headers = mcp_headers(session_);
  headers.emplace_back("MCP-Protocol-Version", "1999-01-01");
  auto reply = post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", headers);
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(reply.body.find("1999-01-01"), std::string::npos);
}

TEST_P(BadInput, ForeignOriginOrHostIs403) {
  auto headers = mcp_headers(session_);
  headers.emplace_back("Origin", "http://evil.example.com");
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", headers).status, 403);
  std::string raw = "POST /mcp HTTP/1.1\r\nHost: evil.example.com\r\nContent-Type: application/json\r\n"
                    "Accept: application/json, text/event-stream\r\nMcp-Session-Id: " + session_ +
                    "\r\nContent-Length: 40\r\n\r\n" + R"({"jsonrpc":"2.0","id":1,"method":"ping"})";
  EXPECT_EQ(raw_request(server_.port(), raw).status, 403);
}

TEST_P(BadInput, InvalidUtf8IsAParseError) {
  auto reply = post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                    "\"arguments\":{\"message\":\"\xC3\x28\xFF\"}}}");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(rpc_code(reply), -32700);
}

TEST_P(BadInput, DeeplyNestedJsonDoesNotOverflowTheStack) {
  std::string const deep = std::string(100'000, '[') + std::string(100'000, ']');
  auto reply = post(deep);
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(rpc_code(reply), -32700);
  std::string const deep_object = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":)" +
                                  std::string(100'000, '[') + std::string(100'000, ']') + "}}";
  EXPECT_EQ(rpc_code(post(deep_object)), -32700);
}

TEST_P(BadInput, BatchesOnlyWhereTheRevisionAllowsThem) {
  std::string const batch = R"([{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"ping"}])";
  auto refused = post(batch);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(rpc_code(refused), -32600);
  auto const old_session = initialize_session(server_.port(), "2025-03-26");
  auto accepted = post(batch, mcp_headers(old_session));
  EXPECT_EQ(accepted.status, 200);
  EXPECT_EQ(json::parse(accepted.body).as_array().size(), 2u);
  EXPECT_EQ(post("[]", mcp_headers(old_session)).status, 400);
}

TEST_P(BadInput, WrongHttpMethodIs405) {
  auto reply = http_request(server_.port(), "PUT", "/mcp", mcp_headers(session_), "{}");
  EXPECT_EQ(reply.status, 405);
  EXPECT_FALSE(reply.header("Allow").empty());
}

TEST_P(BadInput, IdleAndSlowDripClientsDoNotStarveANormalClient) {
  // Many, from one address, but within limits.max_connections_per_address (1,000) with the others.
  std::vector<RawConnection> idle;
  for (int i = 0; i < 900; ++i) idle.emplace_back(server_.port());
  std::vector<RawConnection> slow;
  for (int i = 0; i < 50; ++i) {
    slow.emplace_back(server_.port());
    slow.back().send("POST /mcp HTTP/1.1\r\nHost: localhost\r\n");
  }
  for (int round = 0; round < 5; ++round) {
    for (auto& connection : slow) connection.send("X-Drip: 1\r\n");
    auto reply = post(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"x"}}})");
    EXPECT_EQ(reply.status, 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// What a session keeps of its client is bounded: an initialize whose capabilities and clientInfo
// are larger than a session keeps is refused, so anonymous clients cannot make the server hold
// their payloads for the session idle timeout (100 such requests of 0.5 MB had taken it from
// 12 MB to 624 MB), and ordinary clients are served meanwhile.
TEST(Sessions, OversizedClientCapabilitiesAreRefusedAndNotKept) {
  ServerUnderTest server({"--set", "server.admin_listen=127.0.0.1:0", "--set", "rate_limit.requests_per_minute=100000"});
  std::string const body =
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
      R"("capabilities":{"experimental":{"blob":")" + std::string(500'000, 'x') +
      R"("}},"clientInfo":{"name":"big","version":"1"}}})";
  for (int i = 0; i < 100; ++i) {
    auto const reply = http_request(server.port(), "POST", "/mcp", mcp_headers(), body);
    ASSERT_EQ(reply.status, 400) << reply.body.substr(0, 300);
    ASSERT_TRUE(reply.header("Mcp-Session-Id").empty());
    if (i == 0) {
      EXPECT_NE(reply.body.find("a session keeps at most 16384"), std::string::npos) << reply.body;
    }
  }
  EXPECT_FALSE(initialize_session(server.port()).empty());
  auto const metrics = http_request(server.admin_port(), "GET", "/metrics", {}, "").body;
  auto const at = metrics.find("\nprocess_resident_memory_bytes ");
  ASSERT_NE(at, std::string::npos) << metrics;
  auto const resident = std::stod(metrics.substr(at + 31));
  EXPECT_LT(resident, 100e6) << "resident bytes after 100 refused sessions";
  auto const sessions = metrics.find("\nmcp_sessions 1");
  EXPECT_NE(sessions, std::string::npos) << metrics;
}

// A session holds at most 1,000 resource subscriptions: the next is refused with -32602 saying
// so, one it holds already is still fine, and unsubscribing makes room.
TEST(Sessions, ResourceSubscriptionsAreBoundedPerSession) {
  ServerUnderTest server({"--set", "rate_limit.enabled=false"});
  auto const session = initialize_session(server.port());
  auto subscribe = [&](std::string const& method, int n) {
    return http_request(server.port(), "POST", "/mcp", mcp_headers(session),
                        R"({"jsonrpc":"2.0","id":1,"method":")" + method + R"(","params":{"uri":"test://s/)" +
                            std::to_string(n) + R"("}})");
  };
  for (int n = 0; n < 1000; ++n) ASSERT_EQ(subscribe("resources/subscribe", n).status, 200) << n;
  auto const refused = subscribe("resources/subscribe", 1000);
  ASSERT_EQ(json::parse(refused.body).at("error").at("code").as_int64(), -32602) << refused.body;
  EXPECT_NE(refused.body.find("1000 resource subscriptions"), std::string::npos) << refused.body;
  EXPECT_EQ(subscribe("resources/subscribe", 7).status, 200);  // held already
  EXPECT_EQ(subscribe("resources/unsubscribe", 7).status, 200);
  EXPECT_TRUE(json::parse(subscribe("resources/subscribe", 1000).body).at("result").is_object());
}

// A 2025-03-26 batch holds at most 100 messages, and each message costs a rate-limit token as it
// would alone: a batch is no way around the limit.
TEST(Batches, AreCappedAndCostATokenPerMessage) {
  // A burst of 10 and one token a minute: nothing refills during the test.
  ServerUnderTest server({"--set", "rate_limit.enabled=true", "--set", "rate_limit.requests_per_minute=1", "--set",
                          "rate_limit.burst=10"});
  auto const session = initialize_session(server.port(), "2025-03-26");  // initialize + initialized: 2 tokens
  auto batch_of = [](int size) {
    std::string batch = "[";
    for (int i = 0; i < size; ++i)
      batch += (i ? "," : "") + std::string(R"({"jsonrpc":"2.0","id":)") + std::to_string(i) + R"(,"method":"ping"})";
    return batch + "]";
  };
  auto const too_long = http_request(server.port(), "POST", "/mcp", mcp_headers(session), batch_of(101));
  EXPECT_EQ(too_long.status, 400);
  EXPECT_NE(too_long.body.find("a batch may hold at most 100 messages; this one holds 101"), std::string::npos)
      << too_long.body;  // one token, as one request
  auto const allowed = http_request(server.port(), "POST", "/mcp", mcp_headers(session), batch_of(3));
  EXPECT_EQ(allowed.status, 200) << allowed.body;  // 6 tokens spent
  auto const over = http_request(server.port(), "POST", "/mcp", mcp_headers(session), batch_of(5));
  EXPECT_EQ(over.status, 429) << over.body;  // the 5th message would be the 11th token
}

// One session cannot have more than limits.max_in_flight_per_session requests served at once: the
// next gets -32014 saying so, other sessions are served, and a slot frees when a call ends.
TEST(Sessions, RequestsInFlightAreBoundedPerSession) {
  ServerUnderTest server({"--set", "limits.max_in_flight_per_session=3", "--set", "rate_limit.enabled=false"});
  auto const session = initialize_session(server.port());
  std::vector<std::unique_ptr<RawConnection>> calls;
  for (int i = 0; i < 3; ++i) {
    calls.push_back(std::make_unique<RawConnection>(server.port()));
    ASSERT_TRUE(calls.back()->send(request_text(
        server.port(), "POST", "/mcp", mcp_headers(session),
        R"({"jsonrpc":"2.0","id":"w)" + std::to_string(i) +
            R"(","method":"tools/call","params":{"name":"simulate_workload","arguments":{"duration_ms":60000,"steps":4}}})",
        true)));
    std::string received;
    ASSERT_TRUE(read_until(calls.back()->fd(), received, "retry:")) << received;  // the call runs
  }
  std::string const ping = R"({"jsonrpc":"2.0","id":9,"method":"ping"})";
  auto const refused = http_request(server.port(), "POST", "/mcp", mcp_headers(session), ping);
  ASSERT_EQ(refused.status, 200) << refused.body;
  auto const error = json::parse(refused.body).at("error").as_object();
  EXPECT_EQ(error.at("code").as_int64(), -32014);
  EXPECT_NE(error.at("message").as_string().find("limits.max_in_flight_per_session"), std::string::npos);

  auto const other = initialize_session(server.port());
  auto const served = http_request(server.port(), "POST", "/mcp", mcp_headers(other), ping);
  EXPECT_TRUE(json::parse(served.body).as_object().contains("result")) << served.body;

  auto const cancelled = http_request(server.port(), "POST", "/mcp", mcp_headers(session),
                                      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"w0"}})");
  EXPECT_EQ(cancelled.status, 202);
  EXPECT_TRUE(wait_until(
      [&] {
        auto const again = http_request(server.port(), "POST", "/mcp", mcp_headers(session), ping);
        return json::parse(again.body).as_object().contains("result");
      },
      std::chrono::seconds(20)))
      << "the cancelled call's slot never freed";
}

// Anyone can make the server refuse requests (here 404, an unknown session): a flood of them is
// logged within a per-second budget, the line after says how many were left out, and the lines
// of real requests still reach the log.
TEST(Logs, AFloodOfRefusedRequestsIsLoggedWithinABudget) {
  ServerUnderTest server({"--set", "rate_limit.enabled=false"});
  constexpr int kRefused = 600;
  RawConnection flood(server.port());
  std::string const refused = request_text(server.port(), "POST", "/mcp", mcp_headers("0123456789abcdef"),
                                           R"({"jsonrpc":"2.0","id":1,"method":"ping"})", true);
  std::string answers;
  auto const started = std::chrono::steady_clock::now();
  for (int i = 0; i < kRefused; ++i) {
    ASSERT_TRUE(flood.send(refused));
    ASSERT_TRUE(read_until(flood.fd(), answers, "HTTP/1.1 404")) << answers;
    answers.clear();
  }
  auto const seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // into the budget's next second
  ASSERT_TRUE(flood.send(refused));
  ASSERT_TRUE(read_until(flood.fd(), answers, "HTTP/1.1 404"));
  auto const session = initialize_session(server.port());
  ASSERT_TRUE(server.wait_for_log(R"("method":"initialize")", std::chrono::seconds(10))) << server.log_tail();
  auto const log = server.log();
  std::size_t lines = 0;
  for (auto at = log.find("\"request_rejected\""); at != std::string::npos; at = log.find("\"request_rejected\"", at + 1))
    ++lines;
  // 50 lines a second, over the seconds the flood took (begun and ended mid-second) and the last one.
  auto const most = static_cast<std::size_t>(50 * (seconds + 3));
  EXPECT_GT(lines, 0u);
  EXPECT_LE(lines, most) << "the flood took " << seconds << " s";
  if (most < kRefused) {
    EXPECT_NE(log.find(R"("left_out":)"), std::string::npos) << server.log_tail();
  }
}
