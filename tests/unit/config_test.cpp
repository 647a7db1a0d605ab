// Config layers, values, diagnostics and reports, without a process or a file system.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>

#include "config/key_registry.hpp"
#include "config/loader.hpp"
#include "config/report.hpp"
#include "config/toml_reader.hpp"
#include "config/upstream_flags.hpp"
#include "config/upstream_keys.hpp"
#include "support/param_names.hpp"

using namespace prodmcp::config;

namespace {

ConfigSources sources_with_env(std::map<std::string, std::string> env) {
  ConfigSources sources;
  sources.env = [env](std::string const& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  for (auto const& [name, value] : env) sources.env_names.push_back(name);
  return sources;
}

bool has_diagnostic(LoadedConfig const& config, std::string const& text) {
  for (auto const& diagnostic : config.diagnostics)
    if (diagnostic.to_string().find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

struct TextCase {
  ValueType type;
  std::string text;
  std::optional<Value> expected;
};

void PrintTo(TextCase const& row, std::ostream* out) {
  *out << type_name(row.type) << " \"" << row.text << "\"";
}

class ParseText : public ::testing::TestWithParam<TextCase> {};

TEST_P(ParseText, ReadsOrExplains) {
  auto const& row = GetParam();
  std::string problem;
  auto const value = parse_text(row.type, row.text, problem);
  EXPECT_EQ(value, row.expected) << row.text;
  if (!row.expected) {
    EXPECT_FALSE(problem.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Values, ParseText,
    ::testing::Values(TextCase{ValueType::kBoolean, "true", Value(true)},
                      TextCase{ValueType::kBoolean, " Off ", Value(false)},
                      TextCase{ValueType::kBoolean, "maybe", std::nullopt},
                      TextCase{ValueType::kInteger, "42", Value(std::int64_t{42})},
                      TextCase{ValueType::kInteger, "42x", std::nullopt},
                      TextCase{ValueType::kInteger, "", std::nullopt},
                      TextCase{ValueType::kInteger, "99999999999999999999", std::nullopt},
                      TextCase{ValueType::kNumber, "0.25", Value(0.25)},
                      TextCase{ValueType::kNumber, "nan", std::nullopt},
                      TextCase{ValueType::kString, " text ", Value(std::string("text"))},
                      TextCase{ValueType::kStringList, "a, b ,c", Value(StringList{"a", "b", "c"})},
                      TextCase{ValueType::kStringList, "", Value(StringList{})},
                      TextCase{ValueType::kStringMap, "a=1, b = x", Value(StringMap{{"a", "1"}, {"b", "x"}})},
                      TextCase{ValueType::kStringMap, "a", std::nullopt}),
    prodmcp::testing::row_names<TextCase>(
        [](TextCase const& row) { return std::string(type_name(row.type)) + " " + row.text; }));

TEST(ConfigLoader, DefaultsWhenNothingIsSet) {
  auto const config = load_config(sources_with_env({}));
  EXPECT_TRUE(config.ok());
  EXPECT_EQ(config.profile, Profile::kDevelopment);
  EXPECT_EQ(config.settings.server.listen, "127.0.0.1:8080");
  EXPECT_EQ(config.origins.at("server.listen"), "default");
  EXPECT_EQ(config.settings.logging.level, "debug");  // the development profile
  EXPECT_EQ(config.origins.at("logging.level"), "profile development");
}

TEST(ConfigLoader, EnvironmentBeatsProfileAndFlagsBeatEnvironment) {
  auto sources = sources_with_env({{"ENVIRONMENT", "staging"},
                                   {"MAX_REQUEST_SIZE", "4096"},
                                   {"PRODMCP_SERVER_WORKERS", "3"},
                                   {"PRODMCP_LOGGING_LEVEL", "warning"}});
  sources.flags.push_back({"server.workers", "5", "--workers"});
  auto const config = load_config(sources);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config.profile, Profile::kStaging);
  EXPECT_EQ(config.profile_origin, "environment ENVIRONMENT");
  EXPECT_EQ(config.settings.limits.max_request_size, 4096);
  EXPECT_EQ(config.origins.at("limits.max_request_size"), "environment MAX_REQUEST_SIZE");
  EXPECT_EQ(config.settings.server.workers, 5);
  EXPECT_EQ(config.origins.at("server.workers"), "flag --workers");
  EXPECT_EQ(config.settings.logging.level, "warning");
}

TEST(ConfigLoader, ABadValueIsReportedAndTheLayerBelowStays) {
  auto sources = sources_with_env({{"PRODMCP_SERVER_WORKERS", "lots"}, {"PRODMCP_LIMITS_MAX_JSON_DEPTH", "2"}});
  auto const config = load_config(sources);
  EXPECT_FALSE(config.ok());
  EXPECT_EQ(config.settings.server.workers, 0);
  EXPECT_EQ(config.settings.limits.max_json_depth, 64);
  EXPECT_TRUE(has_diagnostic(config, "environment PRODMCP_SERVER_WORKERS: error: server.workers: expected a whole "
                                     "number, got \"lots\""));
  EXPECT_TRUE(has_diagnostic(config, "limits.max_json_depth: must be between 8 and 1024"));
}

TEST(ConfigLoader, UnknownProfileAndFlagKeysAreErrors) {
  auto sources = sources_with_env({});
  sources.profile = "prod";
  sources.flags.push_back({"server.listn", "x", "--set"});
  auto const config = load_config(sources);
  EXPECT_TRUE(has_diagnostic(config, "unknown profile \"prod\" (use development, staging or production)"));
  EXPECT_TRUE(has_diagnostic(config, "unknown key server.listn (did you mean server.listen?)"));
}

TEST(ConfigLoader, ProductionRefusesUnsafeCombinations) {
  auto sources = sources_with_env({});
  sources.profile = "production";
  sources.flags = {{"server.listen", "0.0.0.0:8080", "--listen"},
                   {"auth.enabled", "false", "--set"},
                   {"faults.enabled", "true", "--set"},
                   {"server.conformance_fixtures", "true", "--set"}};
  auto const config = load_config(sources);
  EXPECT_EQ(config.errors().size(), 3u);
  EXPECT_TRUE(has_diagnostic(config, "profile production: error: serving 0.0.0.0:8080 beyond this machine without "
                                     "authentication"));
  EXPECT_TRUE(has_diagnostic(config, "fault injection is enabled"));
  EXPECT_TRUE(has_diagnostic(config, "conformance test fixtures are enabled"));

  // The same in development only warns.
  sources.profile = "development";
  auto const development = load_config(sources);
  EXPECT_TRUE(development.ok());
  EXPECT_FALSE(development.diagnostics.empty());
}

TEST(ConfigLoader, AuthWithoutClientsIsAnError) {
  auto sources = sources_with_env({});
  sources.flags = {{"auth.enabled", "true", "--set"}};
  EXPECT_FALSE(load_config(sources).ok());
}

TEST(TomlReader, ReportsPositionsTypesAndSuggestions) {
  auto const contents = read_toml(
      "[server]\nlisten = 8080\nworkers = 2\n[cahce]\nttl = 3\n[logging]\nlevl = \"info\"\ntop = 1\n", "x.toml");
  ASSERT_EQ(contents.entries.size(), 1u);
  EXPECT_EQ(contents.entries[0].key, "server.workers");
  EXPECT_EQ(contents.entries[0].line, 3);
  std::vector<std::string> texts;
  for (auto const& d : contents.diagnostics) texts.push_back(d.to_string());
  auto contains = [&](std::string const& text) {
    return std::any_of(texts.begin(), texts.end(), [&](auto const& t) { return t.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(contains("x.toml:2:10: error: server.listen must be a string, not an integer"));
  EXPECT_TRUE(contains("x.toml:4:1: error: unknown section [cahce] (did you mean [cache]?)"));
  EXPECT_TRUE(contains("x.toml:7:8: error: unknown key logging.levl (did you mean logging.level?)"));
  EXPECT_TRUE(contains("unknown key logging.top"));
}

TEST(TomlReader, TopLevelKeyIsPointedToItsSection) {
  auto const contents = read_toml("listen = \"127.0.0.1:1\"\n", "x.toml");
  ASSERT_EQ(contents.diagnostics.size(), 1u);
  EXPECT_NE(contents.diagnostics[0].hint.find("server.listen"), std::string::npos);
}

TEST(ConfigReport, MasksSecretsAndUrlPasswords) {
  KeySpec spec;
  spec.secret = true;
  EXPECT_EQ(masked(spec, std::string("redis://user:hunter2@cache:6379/0")),
            Value(std::string("redis://user:****@cache:6379/0")));
  EXPECT_EQ(masked(spec, std::string("plain-secret")), Value(std::string("****")));
  EXPECT_EQ(masked(spec, StringMap{{"a", "sha256:00"}}), Value(StringMap{{"a", "****"}}));
  spec.secret = false;
  EXPECT_EQ(masked(spec, std::string("visible")), Value(std::string("visible")));
}

TEST(ConfigReport, PrintedTomlReadsBackToTheSameSettings) {
  auto sources = sources_with_env({});
  sources.flags = {{"server.allowed_origins", "https://a.example,https://b.example", "--set"},
                   {"faults.error_rate", "0.5", "--set"}};
  auto const config = load_config(sources);
  auto const reread = read_toml(print_config_toml(config), "printed.toml");
  EXPECT_TRUE(reread.diagnostics.empty());
  Settings settings;
  for (auto const& entry : reread.entries) find_key(entry.key)->set(settings, entry.value);
  EXPECT_TRUE(changed_keys(settings, config.settings).empty());
}

TEST(ConfigReport, ChangedKeysNamesExactlyTheDifferences) {
  Settings a;
  Settings b;
  b.logging.level = "error";
  b.auth.clients["x"] = "sha256:1";
  EXPECT_EQ(changed_keys(a, b), (std::vector<std::string>{"logging.level", "auth.clients"}));
}

TEST(UpstreamConfig, TablesAreReadCheckedAndPrintedBack) {
  auto sources = sources_with_env({});
  sources.file = "up.toml";
  sources.file_text =
      "[upstreams.notes]\ncommand = \"python3\"\nargs = [\"notes_server.py\"]\nenv = { NOTES_DIR = \"/srv\" }\n"
      "timeout_ms = 5000\nrequired = false\n";
  auto const config = load_config(sources);
  ASSERT_TRUE(config.ok()) << config.diagnostics.front().to_string();
  auto const& notes = config.settings.upstreams.at("notes");
  EXPECT_EQ(notes.command, "python3");
  EXPECT_EQ(notes.args, StringList{"notes_server.py"});
  EXPECT_EQ(notes.env.at("NOTES_DIR"), "/srv");
  EXPECT_EQ(notes.timeout_ms, 5000);
  EXPECT_FALSE(notes.required);
  EXPECT_EQ(notes.restart, "on-failure");  // a default
  EXPECT_EQ(config.origins.at("upstreams.notes.timeout_ms"), "file up.toml:5");

  auto const printed = print_config_toml(config);
  EXPECT_NE(printed.find("[upstreams.notes]"), std::string::npos) << printed;
  auto const reread = read_toml(printed, "printed.toml");
  EXPECT_TRUE(reread.diagnostics.empty());
  Settings settings;
  for (auto const& entry : reread.entries) find_key(entry.key)->set(settings, entry.value);
  EXPECT_TRUE(changed_keys(settings, config.settings).empty());
}

TEST(UpstreamConfig, MistakesAreExplained) {
  auto sources = sources_with_env({});
  sources.file = "up.toml";
  sources.file_text =
      "[upstreams.notes]\ncomand = \"x\"\ntimeout_ms = 5\n[upstreams.Bad_Name]\ncommand = \"x\"\n"
      "[upstreams.both]\ncommand = \"x\"\nurl = \"http://127.0.0.1:1/mcp\"\n[upstreams.none]\nrequired = true\n";
  auto const config = load_config(sources);
  EXPECT_TRUE(has_diagnostic(config, "up.toml:2:10: error: unknown key upstreams.notes.comand (did you mean command?)"));
  EXPECT_TRUE(has_diagnostic(config, "upstreams.notes.timeout_ms: must be between 100 and 3600000"));
  EXPECT_TRUE(has_diagnostic(config, "upstream name \"Bad_Name\" is not allowed"));
  EXPECT_TRUE(has_diagnostic(config, "upstream \"both\" has both command and url"));
  EXPECT_TRUE(has_diagnostic(config, "upstream \"none\" has neither command nor url"));
}

TEST(UpstreamConfig, TwoUpstreamsUnderOnePrefixAreAnError) {
  auto sources = sources_with_env({});
  sources.file = "up.toml";
  sources.file_text =
      "[upstreams.notes]\ncommand = \"a\"\nprefix = \"n.\"\n[upstreams.news]\ncommand = \"b\"\nprefix = \"n.\"\n"
      "[upstreams.search]\ncommand = \"c\"\n";
  auto const config = load_config(sources);
  EXPECT_TRUE(has_diagnostic(config, "upstreams \"news\" and \"notes\" would both name their tools and prompts \"n....\""));
  EXPECT_FALSE(has_diagnostic(config, "\"search\" would both"));

  // The default prefixes (NAME and the separator) never clash.
  sources.file_text = "[upstreams.notes]\ncommand = \"a\"\n[upstreams.news]\ncommand = \"b\"\n";
  EXPECT_FALSE(has_diagnostic(load_config(sources), "would both name"));
  EXPECT_EQ(exposed_prefix(load_config(sources).settings, "notes"), "notes__");
}

TEST(UpstreamConfig, ARemoteUpstreamNeedsAnHttpUrlItCanReach) {
  auto sources = sources_with_env({});
  sources.file = "up.toml";
  sources.file_text =
      "[upstreams.ok]\nurl = \"http://10.0.0.7:8000/mcp\"\n[upstreams.tls]\nurl = \"https://example.com/mcp\"\n"
      "[upstreams.ftp]\nurl = \"ftp://example.com/mcp\"\n[upstreams.junk]\nurl = \"not a url\"\n";
  auto const config = load_config(sources);
  EXPECT_FALSE(has_diagnostic(config, "upstream \"ok\""));
  EXPECT_FALSE(has_diagnostic(config, "upstream \"tls\""));
  EXPECT_TRUE(has_diagnostic(config, "upstream \"ftp\": \"ftp://example.com/mcp\" is not an http:// or https:// URL"));
  EXPECT_TRUE(has_diagnostic(config, "upstream \"junk\": \"not a url\" is not a URL"));
}

TEST(UpstreamConfig, TheUpstreamFlagSplitsLikeAShellWithoutRunningAnything) {
  auto const settings = upstream_flag("notes=python3 'my server.py' --dir \"/srv/a b\"");
  ASSERT_EQ(settings.size(), 2u);
  EXPECT_EQ(settings[0].key, "upstreams.notes.command");
  EXPECT_EQ(*settings[0].value, Value(std::string("python3")));
  EXPECT_EQ(*settings[1].value, Value(StringList{"my server.py", "--dir", "/srv/a b"}));
  EXPECT_EQ(upstream_flag("search=http://127.0.0.1:8000/mcp")[0].key, "upstreams.search.url");
  EXPECT_THROW(upstream_flag("notes"), std::invalid_argument);
  EXPECT_THROW(upstream_flag("Notes=x"), std::invalid_argument);
  EXPECT_THROW(upstream_flag("notes=x $(rm -rf /)"), std::invalid_argument);
  EXPECT_THROW(upstream_flag("notes=x; rm -rf /"), std::invalid_argument);
  EXPECT_THROW(upstream_flag("notes='unclosed"), std::invalid_argument);
}

TEST(UpstreamConfig, AnMcpJsonFileBecomesUpstreams) {
  auto const path = ::testing::TempDir() + "mcp.json";
  {
    std::ofstream(path) << R"({"mcpServers":{"My_Notes":{"command":"npx","args":["-y","notes"],"env":{"K":"v"}},)"
                           R"("remote":{"url":"https://example.com/mcp","headers":{"Authorization":"Bearer x"}}}})";
  }
  auto sources = sources_with_env({});
  sources.flags = mcp_json_file(path);
  auto const config = load_config(sources);
  auto const& notes = config.settings.upstreams.at("my-notes");
  EXPECT_EQ(notes.command, "npx");
  EXPECT_EQ(notes.args, (StringList{"-y", "notes"}));
  EXPECT_EQ(notes.env.at("K"), "v");
  EXPECT_EQ(config.settings.upstreams.at("remote").headers.at("Authorization"), "Bearer x");
  EXPECT_EQ(config.origins.at("upstreams.my-notes.command"), "flag --mcp-json");
  // VS Code's .vscode/mcp.json names them "servers", with a type beside each.
  { std::ofstream(path) << R"({"servers":{"fs":{"type":"stdio","command":"npx","args":["fs"]}},"inputs":[]})"; }
  sources.flags = mcp_json_file(path);
  EXPECT_EQ(load_config(sources).settings.upstreams.at("fs").command, "npx");
  for (auto const* refused : {R"({"servers":{}})", R"({"mcpServers":{}})", R"({"other":{}})", R"({"servers":[1]})"}) {
    { std::ofstream(path) << refused; }
    EXPECT_THROW(mcp_json_file(path), std::invalid_argument) << refused;
  }
  std::remove(path.c_str());
}
