// The before/after comparison's pieces that need no server: a run's calls as RED figures, example
// arguments from a schema, the gateway's names for an upstream's tools, and where the launch puts
// each upstream (read by the server's own loader), and the walkthrough's production config built
// on the prototype's.
#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <cmath>

#include "config_editor/config_document.hpp"
#include "demo/load_figures.hpp"
#include "mcp/tool_arguments.hpp"
#include "upstreams/launched_upstreams.hpp"
#include "upstreams/upstream_status.hpp"
#include "walkthrough/walkthrough.hpp"

using namespace prodmcp::console;

namespace {

LoadSample answered(qint64 sent_ms, double latency_ms, CallOutcome outcome = CallOutcome::kOk, bool anonymous = false) {
  return {sent_ms, latency_ms, outcome, true, anonymous};
}

}  // namespace

TEST(LoadFigures, QuantilesByNearestRank) {
  std::vector<double> values{5, 1, 4, 2, 3};
  EXPECT_EQ(quantile(values, 0.5), 3);
  EXPECT_EQ(quantile(values, 0.95), 5);
  EXPECT_EQ(quantile(values, 0), 1);
  std::vector<double> none;
  EXPECT_TRUE(std::isnan(quantile(none, 0.5)));
}

TEST(LoadFigures, EachSecondCountsTheAnswersThatCameInDuringIt) {
  std::vector<LoadSample> samples{
      answered(0, 10),   answered(100, 30), answered(200, 900, CallOutcome::kToolError),
      answered(1200, 5), answered(1300, 0.5, CallOutcome::kFailed),
      answered(1900, 10'000, CallOutcome::kTimedOut),  // answered (given up on) in the 11th second
      {1950, 0, CallOutcome::kOk, false, false},       // still out
  };
  auto const seconds = per_second(samples, 3);
  ASSERT_EQ(seconds.size(), 12u) << "the seconds a late answer came in are shown too";
  EXPECT_EQ(seconds[0].ok_per_second, 2);
  EXPECT_EQ(seconds[1].ok_per_second, 1);
  EXPECT_EQ(seconds[1].errors_per_second, 2) << "the tool error answered at 1.1 s and the failure";
  EXPECT_EQ(seconds[0].p50_ms, 10);
  EXPECT_EQ(seconds[0].p99_ms, 30);
  EXPECT_EQ(seconds[1].p99_ms, 900) << "a tool error is an answer: its latency counts";
  EXPECT_TRUE(std::isnan(seconds[2].p50_ms)) << "nothing answered in that second";
  EXPECT_EQ(seconds[11].errors_per_second, 1);
  EXPECT_TRUE(std::isnan(seconds[11].p50_ms)) << "a timeout is not a latency";

  auto const summary = summarize(samples, 2);
  EXPECT_EQ(summary.sent, 7);
  EXPECT_EQ(summary.ok, 3);
  EXPECT_EQ(summary.tool_errors, 1);
  EXPECT_EQ(summary.failed, 1);
  EXPECT_EQ(summary.timed_out, 1);
  EXPECT_EQ(summary.unanswered, 1);
  EXPECT_EQ(summary.error_count(), 3);
  EXPECT_DOUBLE_EQ(summary.ok_per_second, 1.5);
  EXPECT_EQ(summary.p50_ms, 10) << "of 5, 10, 30, 900";
  EXPECT_EQ(summary.max_ms, 900);
}

TEST(LoadFigures, CallsWithoutATokenAreCountedWithWhatCameOfThem) {
  auto const summary = summarize({answered(0, 1, CallOutcome::kUnauthorized, true), answered(10, 2, CallOutcome::kOk, true),
                                  answered(20, 3, CallOutcome::kError, true), answered(30, 4)},
                                 1);
  EXPECT_EQ(summary.anonymous, 3);
  EXPECT_EQ(summary.anonymous_served, 2) << "a JSON-RPC error is an answer too";
  EXPECT_EQ(summary.unauthorized, 1);
  EXPECT_EQ(summary.error_count(), 2);
  EXPECT_EQ(summary.p50_ms, 3) << "a 401 is not a latency";
}

TEST(LoadFigures, ARunWithoutAnswersHasNoLatency) {
  auto const summary = summarize({answered(0, 1, CallOutcome::kRefused)}, 1);
  EXPECT_EQ(summary.refused, 1);
  EXPECT_TRUE(std::isnan(summary.p95_ms));
  EXPECT_EQ(per_second({}, 0).size(), 1u);
}

TEST(ExampleArguments, FillEachRequiredPropertyAndNothingElse) {
  auto const schema = QJsonDocument::fromJson(R"({"type":"object","properties":{
    "query":{"type":"string"}, "limit":{"type":"integer","minimum":5}, "ratio":{"type":"number"},
    "mode":{"type":"string","enum":["fast","slow"]}, "verbose":{"type":"boolean"},
    "tags":{"type":["array","null"]}, "page":{"type":"integer","default":2},
    "filter":{"type":"object","properties":{"field":{"type":"string"}},"required":["field"]},
    "optional":{"type":"string"}},
    "required":["query","limit","ratio","mode","verbose","tags","page","filter"]})").object();
  EXPECT_EQ(QJsonDocument(example_arguments(schema)).toJson(QJsonDocument::Compact),
            R"({"filter":{"field":"example"},"limit":5,"mode":"fast","page":2,"query":"example","ratio":1,"tags":[],"verbose":false})");
  EXPECT_TRUE(example_arguments(QJsonObject{{"type", "object"}}).isEmpty());
}

TEST(UpstreamToolNames, AreThePrefixAndTheToolsNameMadeSafeByteByByte) {
  EXPECT_EQ(exposed_tool_name("", "search"), "search");
  EXPECT_EQ(exposed_tool_name("notes__", "add note"), "notes__add_note");
  EXPECT_EQ(exposed_tool_name("n.", QString::fromUtf8("caf\xc3\xa9")), "n.caf__") << "é is two bytes";
  EXPECT_EQ(exposed_tool_name("", "a-b.c_d"), "a-b.c_d");
}

TEST(LaunchedUpstreams, AreReadFromTheLaunchsFileAndFlagsAsTheServerReadsThem) {
  QTemporaryDir dir;
  auto const config = dir.filePath("prodmcp.toml");
  QFile file(config);
  ASSERT_TRUE(file.open(QIODevice::WriteOnly));
  file.write("[upstreams.notes]\ncommand = \"python3\"\nargs = [\"notes server.py\", \"--dir\", \"/srv\"]\n"
             "cwd = \"/srv/app\"\nenv = { NOTES_TOKEN = \"${NOTES_TEST_SECRET}\" }\n"
             "[upstreams.search]\nurl = \"http://127.0.0.1:9/mcp\"\n"
             "headers = { Authorization = \"Bearer ${SEARCH_TEST_TOKEN}\" }\n");
  file.close();
  QFile json(dir.filePath("mcp.json"));
  ASSERT_TRUE(json.open(QIODevice::WriteOnly));
  json.write(R"({"mcpServers":{"memory":{"command":"npx","args":["-y","@modelcontextprotocol/server-memory"]}}})");
  json.close();
  qputenv("NOTES_TEST_SECRET", "s3cret");
  qputenv("SEARCH_TEST_TOKEN", "t0ken");
  ServerLaunchOptions launch;
  launch.config_file = config;
  launch.extra_arguments = {"--upstream", "local=./server --stdio", "--mcp-json=" + json.fileName(),
                            "--set", "upstreams.notes.cwd=/srv/notes", "--listen", "127.0.0.1:0"};
  auto const launched = launched_upstreams(launch);
  ASSERT_EQ(launched.error, "");
  QStringList names;
  for (auto const& [name, settings] : launched.upstreams) names << name;
  ASSERT_EQ(names, (QStringList{"local", "memory", "notes", "search"}));

  auto const notes = direct_target(launched.upstreams.at("notes"));
  EXPECT_FALSE(notes.remote());
  EXPECT_EQ(notes.program, "python3");
  EXPECT_EQ(notes.arguments, (QStringList{"notes server.py", "--dir", "/srv"}));
  EXPECT_EQ(notes.working_directory, "/srv/notes") << "--set wins over the file, as in the server";
  EXPECT_EQ(notes.environment.value("NOTES_TOKEN"), "s3cret") << "expanded, as the gateway does for its child";
  EXPECT_EQ(notes.summary(), "python3 'notes server.py' --dir /srv");

  auto const search = direct_target(launched.upstreams.at("search"));
  EXPECT_TRUE(search.remote());
  EXPECT_EQ(search.url.toString(), "http://127.0.0.1:9/mcp");
  ASSERT_EQ(search.headers.size(), 1);
  EXPECT_EQ(search.headers.first().second, "Bearer t0ken");

  EXPECT_EQ(direct_target(launched.upstreams.at("memory")).program, "npx");
  EXPECT_EQ(direct_target(launched.upstreams.at("local")).arguments, QStringList{"--stdio"});

  launch.extra_arguments = {"--upstream", "Bad Name=python3 x.py"};
  EXPECT_FALSE(launched_upstreams(launch).error.isEmpty());
  launch.extra_arguments = {"--set", "upstreams.notes.timeout_ms=-5"};
  auto const bad = launched_upstreams(launch);
  EXPECT_TRUE(bad.error.contains("timeout_ms")) << bad.error.toStdString();
}

// The walkthrough's production config keeps what the prototype had (its upstreams) and adds auth,
// JSON logs and rate limits; the server's loader accepts it under the production profile.
TEST(WalkthroughProductionConfig, KeepsThePrototypesUpstreamsAndAddsTheProductionSettings) {
  QString error;
  auto const text = Walkthrough::production_config(
      "[upstreams.notes]\ncommand = \"python3\"\nargs = [\"notes.py\"]\n\n[logging]\nlevel = \"debug\"\n",
      "sha256:" + QString(64, '0'), error);
  ASSERT_TRUE(text) << error.toStdString();
  ConfigDocument document;
  document.set_profile("production");
  document.set_text(*text);
  EXPECT_EQ(document.error_count(), 0) << text->toStdString();
  EXPECT_EQ(document.written("upstreams.notes.command"), "python3");
  EXPECT_EQ(document.written("auth.enabled"), "true");
  EXPECT_EQ(document.written("logging.level"), "info") << "set where the prototype had it";
  EXPECT_EQ(document.written("logging.format"), "json");
  EXPECT_EQ(document.written("rate_limit.enabled"), "true");
  // Built-in defaults: the production settings alone.
  auto const plain = Walkthrough::production_config({}, "sha256:" + QString(64, '1'), error);
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->contains("upstreams"));
  // Clients written as a table of their own cannot be set in place: said, nothing written.
  auto const refused = Walkthrough::production_config("[auth.clients]\nalice = \"sha256:x\"\n", "sha256:y", error);
  EXPECT_FALSE(refused);
  EXPECT_TRUE(error.startsWith("auth.clients")) << error.toStdString();
}
