#pragma once
// What the gateway tests do as a client: start a gateway in front of upstreams, call tools,
// list them, read the answer of a POST whatever its framing.
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "server_under_test.hpp"

namespace prodmcp::testing {

namespace json = boost::json;
using namespace std::chrono_literals;

// A gateway whose upstreams are ready (or, with `until_ready` false, just started).
struct Gateway {
  explicit Gateway(std::vector<std::string> upstreams, std::vector<std::string> extra = {}, bool until_ready = true)
      : server(arguments(upstreams, extra)) {
    if (until_ready) {
      EXPECT_TRUE(server.wait_for_log("\"upstream_ready\"", 30s)) << server.log_tail();
    }
  }
  static std::vector<std::string> arguments(std::vector<std::string> const& upstreams, std::vector<std::string> extra) {
    std::vector<std::string> result{"--set", "server.admin_listen=127.0.0.1:0"};
    for (auto const& upstream : upstreams) result.insert(result.end(), {"--upstream", upstream});
    result.insert(result.end(), extra.begin(), extra.end());
    return result;
  }
  ServerUnderTest server;
};

// The JSON-RPC message that answers a POST (plain JSON, or the last event of an SSE stream).
inline json::object answer(HttpReply const& reply) {
  std::string body = reply.body;
  if (reply.header("Content-Type") == "text/event-stream") {
    auto const at = body.rfind("data: {");
    if (at == std::string::npos) return {};
    body = body.substr(at + 6, body.find('\n', at) - at - 6);
  }
  boost::system::error_code ec;
  auto value = json::parse(body, ec);
  return !ec && value.is_object() ? value.as_object() : json::object{};
}

inline json::object call_tool(std::uint16_t port, std::string const& session, std::string const& name,
                       std::string const& arguments = "{}", std::string const& meta = {}) {
  auto const reply = http_request(port, "POST", "/mcp", mcp_headers(session),
                                  R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":")" + name +
                                      R"(","arguments":)" + arguments + (meta.empty() ? "" : R"(,"_meta":)" + meta) +
                                      "}}",
                                  30s);
  EXPECT_EQ(reply.status, 200) << reply.body;
  return answer(reply);
}

inline std::vector<std::string> tool_names(std::uint16_t port, std::string const& session) {
  auto const reply = http_request(port, "POST", "/mcp", mcp_headers(session),
                                  R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})");
  auto const listed = answer(reply);
  std::vector<std::string> names;
  for (auto const& tool : listed.at("result").at("tools").as_array())
    names.emplace_back(tool.at("name").as_string());
  return names;
}

inline std::string text_of(json::object const& message) {
  auto const* result = message.if_contains("result");
  if (!result) return {};
  return std::string(result->at("content").at(0).at("text").as_string());
}

inline std::string error_of(json::object const& message) {
  auto const* error = message.if_contains("error");
  return error ? std::string(error->at("message").as_string()) : std::string();
}

inline bool contains(std::vector<std::string> const& names, std::string const& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

inline std::string ready_body(ServerUnderTest& server) {
  return http_request(server.admin_port(), "GET", "/ready", {}, "").body;
}

// The session ids a server (an upstream behind the gateway) logged for calls of `tool`.
inline std::set<std::string> sessions_calling(ServerUnderTest const& remote, std::string const& tool) {
  std::set<std::string> sessions;
  std::istringstream lines(remote.log());
  std::regex const session(R"re("session":"([^"]+)")re");
  for (std::string line; std::getline(lines, line);) {
    if (line.find(R"("tool":")" + tool + "\"") == std::string::npos) continue;
    if (std::smatch match; std::regex_search(line, match, session)) sessions.insert(match[1]);
  }
  return sessions;
}

// A 2025-11-25 session of a client with `capabilities` (a JSON object), initialized; its id.
inline std::string initialize_with(std::uint16_t port, std::string const& capabilities) {
  auto const initialized = http_request(
      port, "POST", "/mcp", mcp_headers(),
      R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":)" +
          capabilities + R"(,"clientInfo":{"name":"t","version":"1"}}})");
  EXPECT_EQ(initialized.status, 200) << initialized.body;
  auto const session = initialized.header("Mcp-Session-Id");
  http_request(port, "POST", "/mcp", mcp_headers(session), R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  return session;
}

// One request of a 2026-07-28 client that declares `capabilities` (a JSON object): `params` are
// the members of the request's params other than _meta (`"name":"x","arguments":{}`), `name` the
// tool or prompt it names (the Mcp-Name header). The JSON-RPC answer.
inline json::object stateless_request(std::uint16_t port, std::string const& method, std::string const& name,
                                      std::string const& params, std::string const& capabilities = "{}") {
  auto headers = mcp_headers();
  headers.insert(headers.end(), {{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", method}});
  if (!name.empty()) headers.emplace_back("Mcp-Name", name);
  auto const reply = http_request(
      port, "POST", "/mcp", headers,
      R"({"jsonrpc":"2.0","id":11,"method":")" + method + R"(","params":{)" + params + (params.empty() ? "" : ",") +
          R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":)" +
          capabilities + "}}}",
      30s);
  EXPECT_TRUE(reply.status == 200 || reply.status == 400) << reply.status << " " << reply.body;
  return answer(reply);
}

// The SSE event in `received` whose data holds `marker` (the last such one), parsed.
inline json::object event_with(std::string const& received, std::string const& marker) {
  auto const at = received.rfind("data: ", received.rfind(marker));
  return json::parse(received.substr(at + 6, received.find('\n', at) - at - 6)).as_object();
}

// The fixtures' test_tool_with_progress through the gateway on `port`: three progress
// notifications with the client's own token (not the gateway's), then the result.
inline void expect_progress_round_trip(std::uint16_t port, std::string const& session) {
  auto const reply = http_request(port, "POST", "/mcp", mcp_headers(session),
                                  R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"test_tool_with_progress","_meta":{"progressToken":"mine"}}})");
  EXPECT_EQ(reply.header("Content-Type"), "text/event-stream");
  std::size_t progress = 0;
  for (auto at = reply.body.find("notifications/progress"); at != std::string::npos;
       at = reply.body.find("notifications/progress", at + 1))
    ++progress;
  EXPECT_EQ(progress, 3u) << reply.body;
  EXPECT_NE(reply.body.find(R"("progressToken":"mine")"), std::string::npos) << reply.body;
  EXPECT_TRUE(answer(reply).contains("result")) << reply.body;
}

// A GET stream of `session` on `port`, its headers read: what the server sends the session
// outside any call comes on it.
inline RawConnection open_standalone_stream(std::uint16_t port, std::string const& session) {
  RawConnection stream(port);
  EXPECT_TRUE(stream.send(request_text(port, "GET", "/mcp", mcp_headers(session), "", true)));
  std::string received;
  EXPECT_TRUE(read_until(stream.fd(), received, "text/event-stream")) << received;
  return stream;
}

// The fake upstream's ask_later through the gateway on `port`: the call is answered, then the
// upstream asks roots/list outside it; the request arrives on `listening` (the session's open GET
// stream) and is answered with one root, `uri`.
inline void answer_roots_asked_later(std::uint16_t port, std::string const& session, RawConnection& listening,
                                     std::string const& uri) {
  EXPECT_EQ(text_of(call_tool(port, session, "ask_later")), "asking later");
  std::string received;
  ASSERT_TRUE(read_until(listening.fd(), received, R"("method":"roots/list")")) << received;
  auto const asked = event_with(received, R"("method":"roots/list")");
  auto const answered = http_request(port, "POST", "/mcp", mcp_headers(session),
                                     R"({"jsonrpc":"2.0","id":")" + std::string(asked.at("id").as_string()) +
                                         R"(","result":{"roots":[{"uri":")" + uri + R"(","name":"r"}]}})");
  EXPECT_EQ(answered.status, 202) << answered.body;
}

// A client with the sampling capability calls the fixtures' test_sampling through the gateway on
// `port`: the upstream's sampling request reaches it on the call's stream, its answer goes back,
// and the call completes with it.
inline void expect_sampling_round_trip(std::uint16_t port) {
  auto const session = initialize_with(port, R"({"sampling":{}})");
  std::string const call =
      R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"test_sampling","arguments":{"prompt":"6x7?"}}})";
  RawConnection stream(port);
  ASSERT_TRUE(stream.send(request_text(port, "POST", "/mcp", mcp_headers(session), call, true)));
  std::string received;
  ASSERT_TRUE(read_until(stream.fd(), received, "sampling/createMessage")) << received;
  std::string const request_id(event_with(received, "sampling/createMessage").at("id").as_string());
  auto const answered = http_request(
      port, "POST", "/mcp", mcp_headers(session),
      R"({"jsonrpc":"2.0","id":")" + request_id +
          R"(","result":{"role":"assistant","content":{"type":"text","text":"forty-two"},"model":"m"}})");
  EXPECT_EQ(answered.status, 202) << answered.body;
  EXPECT_TRUE(read_until(stream.fd(), received, "LLM response: forty-two")) << received;
}

}  // namespace prodmcp::testing
