// The gateway in front of MCP servers people really run, from npm (pinned in
// tests/conformance/package-lock.json): the reference server-everything and server-memory, and a
// prototype made with the fastmcp package.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "gateway_client.hpp"
#include "redis_under_test.hpp"
#include "server_under_test.hpp"

using namespace prodmcp::testing;
using namespace std::chrono_literals;

namespace {

constexpr char const* kNpmCi = "run 'npm ci' in tests/conformance (the README's test command does)";

std::string node() { return PRODMCP_CONFORMANCE_DIR "/node_modules/node22/bin/node"; }

// The path of a script of an installed npm package; empty when it is not installed.
std::string npm_script(std::string const& relative) {
  auto const path = std::string(PRODMCP_CONFORMANCE_DIR "/node_modules/") + relative;
  return ::access(path.c_str(), R_OK) == 0 ? path : std::string();
}

bool mentions(json::object const& message, std::string const& text) { return text_of(message).find(text) != std::string::npos; }

// server-everything's Streamable HTTP mode on `port`, its output in a file; stopped when destroyed.
class EverythingOverHttp {
 public:
  EverythingOverHttp(std::string const& script, std::uint16_t port)
      : log_(std::filesystem::temp_directory_path() / ("prodmcp-everything-" + std::to_string(::getpid()) + "-" +
                                                       std::to_string(port) + ".log")) {
    pid_ = ::fork();
    if (pid_ == 0) {
      int const out = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(out, 1), ::dup2(out, 2);
      ::setenv("PORT", std::to_string(port).c_str(), 1);
      auto const binary = node();
      ::execl(binary.c_str(), binary.c_str(), script.c_str(), "streamableHttp", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    listening_ = wait_until([&] { return log().find("listening on port") != std::string::npos; }, 30s);
  }
  ~EverythingOverHttp() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    std::filesystem::remove(log_);
  }
  bool listening() const { return listening_; }
  std::string log() const {
    std::ifstream file(log_);
    return std::string(std::istreambuf_iterator<char>(file), {});
  }

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
  bool listening_ = false;
};

}  // namespace

TEST(GatewayRealServers, FrontsTheReferenceServerEverythingOverStdio) {
  auto const everything = npm_script("@modelcontextprotocol/server-everything/dist/index.js");
  ASSERT_FALSE(everything.empty()) << kNpmCi;
  Gateway gateway({"everything=" + node() + " " + everything + " stdio"});
  auto const port = gateway.server.port();
  auto const session = initialize_session(port);
  auto const names = tool_names(port, session);
  EXPECT_TRUE(contains(names, "echo"));
  EXPECT_TRUE(contains(names, "get-sum"));
  EXPECT_EQ(text_of(call_tool(port, session, "get-sum", R"({"a":2,"b":3})")), "The sum of 2 and 3 is 5.");
  auto const reply = http_request(port, "POST", "/mcp", mcp_headers(session),
                                  R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"trigger-long-running-operation",)"
                                  R"("arguments":{"duration":1,"steps":3},"_meta":{"progressToken":"lr"}}})",
                                  30s);
  EXPECT_NE(reply.body.find(R"("progressToken":"lr","progress":3,"total":3)"), std::string::npos) << reply.body;
  EXPECT_NE(text_of(answer(reply)).find("Long running operation completed"), std::string::npos) << reply.body;
}

TEST(GatewayRealServers, ServerMemoryKeepsEachClientsGraphApartAndSharesTheTeamOne) {
  auto const memory = npm_script("@modelcontextprotocol/server-memory/dist/index.js");
  ASSERT_FALSE(memory.empty()) << kNpmCi;
  auto const directory = std::filesystem::temp_directory_path() / ("prodmcp-memory-" + std::to_string(::getpid()));
  std::filesystem::create_directories(directory);
  // Two names for one server: a graph per client session (server-memory keeps its graph in a file,
  // so each child gets its own through PRODMCP_CLIENT_SESSION), and one graph for the whole team.
  auto const config = (directory / "gateway.toml").string();
  std::ofstream(config) << "[upstreams.mine]\ncommand = \"" << node() << "\"\nargs = [\"" << memory
                        << "\"]\nenv = { MEMORY_FILE_PATH = \"" << directory.string()
                        << "/mine-${PRODMCP_CLIENT_SESSION}.jsonl\" }\n"
                        << "[upstreams.team]\ncommand = \"" << node() << "\"\nargs = [\"" << memory
                        << "\"]\nsessions = \"shared\"\nenv = { MEMORY_FILE_PATH = \"" << directory.string()
                        << "/team.jsonl\" }\n";
  ServerUnderTest gateway({"--config", config, "--set", "server.admin_listen=127.0.0.1:0"});
  ASSERT_TRUE(wait_until([&] {
    auto const log = gateway.log();
    return log.find(R"("upstream_ready")") != log.rfind(R"("upstream_ready")");  // both
  }, 60s)) << gateway.log_tail();
  auto const port = gateway.port();
  auto const alice = initialize_session(port);
  auto const bob = initialize_session(port);
  EXPECT_TRUE(contains(tool_names(port, alice), "mine__create_entities"));
  std::string const entity = R"({"entities":[{"name":"Alice","entityType":"person","observations":["likes tea"]}]})";
  EXPECT_TRUE(mentions(call_tool(port, alice, "mine__create_entities", entity), "Alice"));
  EXPECT_TRUE(mentions(call_tool(port, alice, "team__create_entities",
                                 R"({"entities":[{"name":"Release","entityType":"event","observations":["Friday"]}]})"),
                       "Release"));
  // Bob does not see Alice's own graph, but sees the team's; Alice still sees hers.
  EXPECT_FALSE(mentions(call_tool(port, bob, "mine__read_graph"), "Alice"));
  EXPECT_TRUE(mentions(call_tool(port, bob, "team__read_graph"), "Release"));
  EXPECT_TRUE(mentions(call_tool(port, alice, "mine__read_graph"), "likes tea"));
  EXPECT_FALSE(mentions(call_tool(port, alice, "mine__read_graph"), "Release"));
  std::filesystem::remove_all(directory);
}

TEST(GatewayRealServers, ServerEverythingOverHttpRestartedGetsNewSessions) {
  auto const everything = npm_script("@modelcontextprotocol/server-everything/dist/index.js");
  ASSERT_FALSE(everything.empty()) << kNpmCi;
  auto const port = stable_loopback_port();
  auto server = std::make_unique<EverythingOverHttp>(everything, port);
  ASSERT_TRUE(server->listening()) << server->log();
  Gateway gateway({"everything=http://127.0.0.1:" + std::to_string(port) + "/mcp"},
                  {"--set", "upstreams.everything.restart_backoff_ms=100"});
  auto const session = initialize_session(gateway.server.port());
  EXPECT_TRUE(mentions(call_tool(gateway.server.port(), session, "echo", R"({"message":"before"})"), "before"));
  server.reset();  // its sessions go with it
  server = std::make_unique<EverythingOverHttp>(everything, port);
  ASSERT_TRUE(server->listening()) << server->log();
  // It answers the forgotten session with 400 "No valid session ID provided" (as the SDK's example
  // does), not 404: the gateway takes that as a forgotten session too and starts a new one.
  EXPECT_TRUE(wait_until([&] { return mentions(call_tool(gateway.server.port(), session, "echo", R"({"message":"after"})"),
                                               "after"); },
                         30s, 200ms))
      << gateway.server.log_tail();
  EXPECT_NE(gateway.server.log().find("(HTTP 400)"), std::string::npos) << gateway.server.log_tail();
}

TEST(GatewayRealServers, AFastmcpPrototypeGoesIntoProductionWithOneUpstreamLine) {
  std::string const prototype = PRODMCP_CONFORMANCE_DIR "/fastmcp-prototype.mjs";
  ASSERT_FALSE(npm_script("fastmcp/dist/FastMCP.js").empty()) << kNpmCi;
  Gateway gateway({"notes=" + node() + " " + prototype});
  auto const port = gateway.server.port();
  auto const alice = initialize_session(port);
  auto const bob = initialize_session(port);
  auto const names = tool_names(port, alice);
  EXPECT_TRUE(contains(names, "add_note") && contains(names, "list_notes") && contains(names, "summarize"));
  EXPECT_TRUE(mentions(call_tool(port, alice, "add_note", R"({"text":"buy milk"})"), "saved note 1"));
  // Each client session has its own prototype: its notes stay its own.
  EXPECT_TRUE(mentions(call_tool(port, bob, "list_notes"), "(no notes)"));
  EXPECT_TRUE(mentions(call_tool(port, alice, "list_notes"), "buy milk"));
  // Its own schema checks the arguments; the error comes back as the prototype's.
  auto const wrong = call_tool(port, alice, "add_note", R"({"text":7})");
  EXPECT_TRUE(wrong.contains("error") || wrong.at("result").at("isError").as_bool()) << wrong;
  // Progress from it reaches the client with the client's token.
  auto const reply = http_request(port, "POST", "/mcp", mcp_headers(alice),
                                  R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"summarize","arguments":{},)"
                                  R"("_meta":{"progressToken":"s"}}})",
                                  30s);
  EXPECT_NE(reply.body.find(R"("progressToken":"s","progress":3,"total":3)"), std::string::npos) << reply.body;
  EXPECT_TRUE(mentions(answer(reply), "1 notes")) << reply.body;
  // And the production layer is there: its calls are in the request log and metrics.
  EXPECT_TRUE(gateway.server.wait_for_log(R"("tool":"add_note","upstream":"notes")")) << gateway.server.log_tail();
  auto const metrics = http_request(gateway.server.admin_port(), "GET", "/metrics", {}, "").body;
  EXPECT_NE(metrics.find(R"(mcp_upstream_requests_total{method="tools/call",status="ok",upstream="notes"})"),
            std::string::npos);
}
