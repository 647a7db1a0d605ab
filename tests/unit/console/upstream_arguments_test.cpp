// Bring your own server: the console's command line turned into the gateway's arguments, read
// back by the server's own parser so the command arrives word for word.
#include "supervision/upstream_arguments.hpp"

#include <gtest/gtest.h>

#include <variant>

#include "config/upstream_flags.hpp"
#include "config/upstream_keys.hpp"

using namespace prodmcp::console;

namespace {

// The upstreams.NAME.args the server reads from one --upstream spec.
std::vector<std::string> args_read_by_the_server(QString const& spec) {
  for (auto const& setting : prodmcp::config::upstream_flag(spec.toStdString()))
    if (setting.key.ends_with(".args") && setting.value)
      return std::get<std::vector<std::string>>(*setting.value);
  return {};
}

std::string command_read_by_the_server(QString const& spec) {
  for (auto const& setting : prodmcp::config::upstream_flag(spec.toStdString()))
    if (setting.key.ends_with(".command")) return setting.value ? std::get<std::string>(*setting.value) : setting.text;
  return {};
}

}  // namespace

TEST(UpstreamArguments, NamesComeFromTheScriptOrPackageNotTheInterpreter) {
  EXPECT_EQ(upstream_name_for({"python3", "notes_server.py"}), "notes-server");
  EXPECT_EQ(upstream_name_for({"npx", "-y", "@modelcontextprotocol/server-memory"}), "server-memory");
  EXPECT_EQ(upstream_name_for({"node", "build/index.js", "--port", "8000"}), "index");
  EXPECT_EQ(upstream_name_for({"docker", "run", "-i", "--rm", "mcp/github"}), "github");
  EXPECT_EQ(upstream_name_for({"my-tool", "serve"}), "my-tool");
  EXPECT_EQ(upstream_name_for({"/opt/My Server/run", "--verbose"}), "run");
  EXPECT_EQ(upstream_name_for({"./--", "-x"}), "app");
  EXPECT_EQ(upstream_name_for({"uv", "run", "A_Very_Long_Name_For_A_Prototype_Server_That_Goes_On.py"}),
            "a-very-long-name-for-a-prototype");
  for (auto const& command : {QStringList{"python3", "notes_server.py"}, QStringList{"./--"},
                              QStringList{"x", std::string(300, 'z').c_str()}})
    EXPECT_TRUE(prodmcp::config::valid_upstream_name(upstream_name_for(command).toStdString()))
        << upstream_name_for(command).toStdString();
}

TEST(UpstreamArguments, ACommandReachesTheServerWordForWordWhateverItHolds) {
  UpstreamChoice choice;
  choice.command = {"python3", "my notes.py", "--title", "it's; $(rm -rf /) | `x` \"quoted\"", ""};
  auto const arguments = upstream_arguments(choice);
  ASSERT_EQ(arguments.size(), 2);
  EXPECT_EQ(arguments[0], "--upstream");
  EXPECT_TRUE(arguments[1].startsWith("my-notes=")) << arguments[1].toStdString();
  EXPECT_EQ(command_read_by_the_server(arguments[1]), "python3");
  EXPECT_EQ(args_read_by_the_server(arguments[1]),
            (std::vector<std::string>{"my notes.py", "--title", "it's; $(rm -rf /) | `x` \"quoted\"", ""}));
}

TEST(UpstreamArguments, UpstreamSpecsAndAnMcpJsonFilePassOn) {
  UpstreamChoice choice;
  EXPECT_TRUE(choice.empty());
  EXPECT_TRUE(upstream_arguments(choice).isEmpty());
  choice.upstreams = {"search=http://127.0.0.1:8000/mcp", "notes=python3 notes.py"};
  choice.mcp_json = "relative/mcp.json";
  auto const arguments = upstream_arguments(choice);
  ASSERT_EQ(arguments.size(), 6);
  EXPECT_EQ(arguments.mid(0, 4), (QStringList{"--upstream", "search=http://127.0.0.1:8000/mcp", "--upstream",
                                              "notes=python3 notes.py"}));
  EXPECT_EQ(arguments[4], "--mcp-json");
  EXPECT_TRUE(arguments[5].startsWith('/')) << arguments[5].toStdString();  // the server runs elsewhere
  EXPECT_TRUE(arguments[5].endsWith("relative/mcp.json"));
}
