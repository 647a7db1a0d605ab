// The config editor's document: edits from the form keep the rest of the text as written, the
// server's checker marks problems at their line and column, and the effective config per profile.
#include <gtest/gtest.h>

#include <QJsonArray>

#include "config_editor/config_document.hpp"
#include "config_editor/config_schema.hpp"
#include "config_editor/toml_edit.hpp"

using namespace prodmcp::console;

// Readable QStrings in failure messages.
void PrintTo(QString const& text, std::ostream* out) { *out << '"' << text.toStdString() << '"'; }

namespace {

QString const kSample = QStringLiteral(
    "# staging config\n"
    "[server]\n"
    "listen = \"127.0.0.1:8080\"   # the MCP endpoint\n"
    "\n"
    "[logging]\n"
    "level = \"info\"\n");

QJsonValue effective_value(QJsonObject const& config, QString const& key, QString* origin = nullptr) {
  for (auto const& item : config.value("keys").toArray()) {
    if (item.toObject().value("key").toString() != key) continue;
    if (origin) *origin = item.toObject().value("origin").toString();
    return item.toObject().value("value");
  }
  return {};
}

}  // namespace

TEST(TomlEdit, ReplacesOnlyTheValue) {
  // listen's value: line 3, columns 10 to 26 (end just past the closing quote).
  auto const text = toml_edit::replace_value(kSample, {3, 10, 3, 26}, "\"0.0.0.0:9000\"");
  EXPECT_TRUE(text.contains("listen = \"0.0.0.0:9000\"   # the MCP endpoint\n")) << text.toStdString();
  EXPECT_TRUE(text.startsWith("# staging config\n[server]\n"));
}

TEST(TomlEdit, InsertsIntoItsSectionOrANewOne) {
  auto const in_section = toml_edit::insert_key(kSample, "server", "workers", "4", 3);
  EXPECT_TRUE(in_section.contains("listen = \"127.0.0.1:8080\"   # the MCP endpoint\nworkers = 4\n\n[logging]"))
      << in_section.toStdString();
  auto const after_header = toml_edit::insert_key(kSample, "logging", "format", "\"json\"", 0);
  EXPECT_TRUE(after_header.contains("[logging]\nformat = \"json\"\nlevel")) << after_header.toStdString();
  auto const new_section = toml_edit::insert_key(kSample, "cache", "ttl_s", "60", 0);
  EXPECT_TRUE(new_section.endsWith("level = \"info\"\n\n[cache]\nttl_s = 60\n")) << new_section.toStdString();
  EXPECT_EQ(toml_edit::insert_key("", "cache", "ttl_s", "60", 0), "[cache]\nttl_s = 60\n");
}

TEST(TomlEdit, RemovesWholeLinesOnlyWhenTheKeyStandsAlone) {
  auto const removed = toml_edit::remove_key(kSample, {3, 10, 3, 26});
  EXPECT_EQ(removed, "# staging config\n[server]\n\n[logging]\nlevel = \"info\"\n");
  QString const inline_table = "server = { listen = \"127.0.0.1:1\", workers = 2 }\n";
  EXPECT_FALSE(toml_edit::stands_alone(inline_table, {1, 21, 1, 34}));
  EXPECT_EQ(toml_edit::remove_key(inline_table, {1, 21, 1, 34}), inline_table);
}

TEST(ConfigDocument, ReadsWhatTheTextSets) {
  ConfigDocument document;
  document.set_text(kSample);
  EXPECT_EQ(document.written("server.listen").value_or(""), "127.0.0.1:8080");
  EXPECT_EQ(document.written("logging.level").value_or(""), "info");
  EXPECT_FALSE(document.written("server.workers"));
  EXPECT_EQ(document.error_count(), 0);
}

TEST(ConfigDocument, FormEditsRewriteTheTextInPlaceAndBack) {
  ConfigDocument document;
  document.set_text(kSample);
  int changes = 0;
  QObject::connect(&document, &ConfigDocument::changed, [&] { ++changes; });
  EXPECT_EQ(document.set_value("server.listen", "0.0.0.0:9000"), "");
  EXPECT_TRUE(document.text().contains("listen = \"0.0.0.0:9000\"   # the MCP endpoint\n")) << document.text().toStdString();
  EXPECT_EQ(document.set_value("server.workers", "4"), "");
  EXPECT_TRUE(document.text().contains("# the MCP endpoint\nworkers = 4\n")) << document.text().toStdString();
  EXPECT_EQ(document.set_value("server.allowed_origins", "https://a.example,https://b.example"), "");
  EXPECT_EQ(document.written("server.allowed_origins").value_or(""), "https://a.example,https://b.example");
  EXPECT_EQ(document.set_value("auth.clients", "ops=sha256:abababababababababababababababababababababababababababababababab"), "");
  EXPECT_TRUE(document.text().contains("[auth]\nclients = ")) << document.text().toStdString();
  EXPECT_EQ(document.written("auth.clients").value_or(""), "ops=sha256:abababababababababababababababababababababababababababababababab");
  // And back: removing the added keys and restoring the value gives the original text.
  EXPECT_TRUE(document.remove("server.workers"));
  EXPECT_TRUE(document.remove("server.allowed_origins"));
  EXPECT_TRUE(document.remove("auth.clients"));
  EXPECT_EQ(document.set_value("server.listen", "127.0.0.1:8080"), "");
  EXPECT_EQ(document.text(), kSample + "\n[auth]\n");
  EXPECT_GT(changes, 6);
}

TEST(ConfigDocument, RefusesValuesOfTheWrongTypeOrRange) {
  ConfigDocument document;
  document.set_text(kSample);
  EXPECT_NE(document.set_value("server.workers", "many"), "");
  EXPECT_NE(document.set_value("logging.level", "loud"), "");
  EXPECT_NE(document.set_value("server.no_such_key", "1"), "");
  EXPECT_EQ(document.text(), kSample);
}

TEST(ConfigDocument, MarksTheCheckersProblemsAtLineAndColumn) {
  ConfigDocument document;
  document.set_name("edited.toml");
  document.set_text("[server]\nworkers = \"four\"\n\n[logging]\nlevle = \"info\"\n");
  ASSERT_EQ(document.error_count(), 2);
  auto const& first = document.problems()[0];
  EXPECT_EQ(first.line, 2);
  EXPECT_EQ(first.column, 11);
  EXPECT_EQ(first.key, "server.workers");
  auto const& second = document.problems()[1];
  EXPECT_EQ(second.line, 5);
  EXPECT_EQ(second.column, 9);
  EXPECT_TRUE(second.hint.contains("logging.level")) << second.hint.toStdString();
  EXPECT_TRUE(second.text().startsWith("5:9: error: ")) << second.text().toStdString();
  document.set_text("[server\n");
  ASSERT_EQ(document.error_count(), 1);
  EXPECT_EQ(document.problems()[0].line, 1);
}

TEST(ConfigDocument, TheProductionProfileRefusesUnsafeSettings) {
  ConfigDocument document;
  document.set_text("[server]\nlisten = \"0.0.0.0:8080\"\n");
  EXPECT_EQ(document.error_count(), 0);
  document.set_profile("production");
  EXPECT_GT(document.error_count(), 0);
}

TEST(ConfigDocument, EffectiveConfigPerProfileLeavesTheEnvironmentOut) {
  qputenv("RATE_LIMIT", "7");
  ConfigDocument document;
  document.set_name("edited.toml");
  document.set_text("[cache]\nttl_s = 60\n");
  QString origin;
  EXPECT_EQ(effective_value(document.effective(), "cache.ttl_s", &origin).toInt(), 60);
  EXPECT_TRUE(origin.startsWith("file edited.toml:2")) << origin.toStdString();
  EXPECT_NE(effective_value(document.effective(), "rate_limit.requests_per_minute").toInt(), 7);
  qunsetenv("RATE_LIMIT");
  auto const production = document.effective("production");
  EXPECT_EQ(production.value("profile").toString(), "production");
}

TEST(ConfigSchema, ReadsTheServersDescription) {
  auto const schema = ConfigSchema::builtin();
  ASSERT_FALSE(schema.empty());
  EXPECT_TRUE(schema.sections().contains("server"));
  EXPECT_EQ(schema.profiles(), (QStringList{"development", "staging", "production"}));
  auto const* level = schema.find("logging.level");
  ASSERT_NE(level, nullptr);
  EXPECT_EQ(level->section, "logging");
  EXPECT_EQ(level->name, "level");
  EXPECT_FALSE(level->choices.isEmpty());
  EXPECT_FALSE(level->env.isEmpty());
  QString error;
  EXPECT_TRUE(ConfigSchema::from_json("{\"no\":1}", &error).empty());
  EXPECT_FALSE(error.isEmpty());
  EXPECT_TRUE(ConfigSchema::from_json("not json", &error).empty());
}

TEST(ConfigDocument, FormTextOfJsonValues) {
  EXPECT_EQ(ConfigDocument::form_text(QJsonValue(true)), "true");
  EXPECT_EQ(ConfigDocument::form_text(QJsonValue(30)), "30");
  EXPECT_EQ(ConfigDocument::form_text(QJsonValue(0.1)), "0.1");
  EXPECT_EQ(ConfigDocument::form_text(QJsonArray{"a", "b"}), "a,b");
  EXPECT_EQ(ConfigDocument::form_text(QJsonObject{{"x", 1}, {"y", 2}}), "x=1,y=2");
}
