// The tool explorer's logic: form fields from an input schema and back, the JSON-RPC answer in a
// plain or SSE reply, and the call history model.
#include <gtest/gtest.h>

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QJsonDocument>

#include "mcp/call_history.hpp"
#include "mcp/mcp_client.hpp"
#include "mcp/tool_arguments.hpp"

using namespace prodmcp::console;

namespace {

QJsonObject schema(char const* json) { return QJsonDocument::fromJson(json).object(); }

QJsonObject const kSchema = schema(R"({"type":"object","properties":{
  "message":{"type":"string","description":"Text"},
  "count":{"type":"integer","default":1},
  "ratio":{"type":"number"},
  "loud":{"type":"boolean"},
  "mode":{"type":"string","enum":["fast","slow"]},
  "tags":{"type":"array"}},
  "required":["message","mode"]})");

}  // namespace

TEST(ToolArguments, FieldsComeFromTheSchemaRequiredFirst) {
  auto const fields = argument_fields(kSchema);
  ASSERT_EQ(fields.size(), 6u);
  EXPECT_EQ(fields[0].name, "message");
  EXPECT_TRUE(fields[0].required);
  EXPECT_EQ(fields[1].name, "mode");
  EXPECT_EQ(fields[1].choices, (QStringList{"fast", "slow"}));
  EXPECT_EQ(fields[2].name, "count");
  EXPECT_EQ(fields[2].type, "integer");
  EXPECT_EQ(fields[2].default_value.toInt(), 1);
  EXPECT_EQ(fields[5].name, "tags");
  EXPECT_EQ(fields[5].type, "json");
}

TEST(ToolArguments, TextBecomesTypedJsonAndOptionalBlanksAreLeftOut) {
  QString error;
  auto const arguments = arguments_from_text(
      argument_fields(kSchema),
      {{"message", "hi there"}, {"mode", "fast"}, {"count", "3"}, {"ratio", "0.25"}, {"loud", "true"}, {"tags", R"(["a", 1])"}},
      error);
  ASSERT_TRUE(arguments) << error.toStdString();
  EXPECT_EQ(QJsonDocument(*arguments).toJson(QJsonDocument::Compact),
            R"({"count":3,"loud":true,"message":"hi there","mode":"fast","ratio":0.25,"tags":["a",1]})");
  auto const minimal = arguments_from_text(argument_fields(kSchema), {{"message", "x"}, {"mode", "slow"}}, error);
  ASSERT_TRUE(minimal);
  EXPECT_EQ(minimal->size(), 2);
}

TEST(ToolArguments, BadTextNamesTheFieldAndWhatToEnter) {
  auto const fields = argument_fields(kSchema);
  auto const expect_error = [&](QMap<QString, QString> values, char const* expected) {
    QString error;
    EXPECT_FALSE(arguments_from_text(fields, values, error));
    EXPECT_TRUE(error.contains(expected)) << error.toStdString();
  };
  expect_error({{"mode", "fast"}}, "message is required");
  expect_error({{"message", "x"}, {"mode", "medium"}}, "mode must be one of: fast, slow");
  expect_error({{"message", "x"}, {"mode", "fast"}, {"count", "3.5"}}, "count must be a whole number");
  expect_error({{"message", "x"}, {"mode", "fast"}, {"ratio", "half"}}, "ratio must be a number");
  expect_error({{"message", "x"}, {"mode", "fast"}, {"loud", "yes"}}, "loud must be true or false");
  expect_error({{"message", "x"}, {"mode", "fast"}, {"tags", "[1,"}}, "tags must be JSON");
}

TEST(JsonRpcResponse, ReadsPlainJsonAndTheResponseEventOfAnSseStream) {
  EXPECT_EQ(json_rpc_response(R"({"jsonrpc":"2.0","id":1,"result":{"x":1}})", "application/json")
                .value("result").toObject().value("x").toInt(),
            1);
  QByteArray const stream =
      "event: message\r\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{}}\r\n\r\n"
      "event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":7,\n"
      "data: \"error\":{\"code\":-32602,\"message\":\"bad\"}}\n\n";
  auto const response = json_rpc_response(stream, "text/event-stream");
  EXPECT_EQ(response.value("id").toInt(), 7);
  EXPECT_EQ(response.value("error").toObject().value("code").toInt(), -32602);
  EXPECT_TRUE(json_rpc_response("not json", "application/json").isEmpty());
  EXPECT_TRUE(json_rpc_response(R"({"jsonrpc":"2.0","method":"ping"})", "application/json").isEmpty());
}

TEST(CallHistory, RecordsOutcomesAndIsBounded) {
  CallHistory history;
  QAbstractItemModelTester tester(&history, QAbstractItemModelTester::FailureReportingMode::Fatal);
  McpAnswer ok;
  ok.ok = true;
  ok.latency_ms = 1.25;
  ok.correlation_id = "abc";
  McpAnswer tool_error = ok;
  tool_error.result = QJsonObject{{"isError", true}};
  McpAnswer failed;
  history.add({1000, "echo", QJsonObject{{"message", "hi"}}, ok});
  history.add({2000, "simulate_workload", {}, tool_error});
  history.add({3000, "missing", {}, failed});
  EXPECT_EQ(history.index(0, CallHistory::kOutcome).data().toString(), "ok");
  EXPECT_EQ(history.index(1, CallHistory::kOutcome).data().toString(), "tool error");
  EXPECT_EQ(history.index(2, CallHistory::kOutcome).data().toString(), "error");
  EXPECT_EQ(history.index(0, CallHistory::kArguments).data().toString(), R"({"message":"hi"})");
  EXPECT_EQ(history.index(0, CallHistory::kLatency).data().toString(), "1.3 ms");
  for (std::size_t i = 0; i < CallHistory::kCapacity; ++i) history.add({qint64(i), "echo", {}, ok});
  EXPECT_EQ(std::size_t(history.rowCount()), CallHistory::kCapacity);
}
