#include "tools/conformance_fixtures.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "protocol/engine.hpp"

namespace prodmcp::tools {

namespace json = boost::json;
namespace asio = boost::asio;
using protocol::RequestContext;
using protocol::RpcError;
namespace rpc = protocol::error_code;

namespace {

// A 1x1 red PNG and a minimal WAV file, as the suite expects.
constexpr std::string_view kPng =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
constexpr std::string_view kWav = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";
constexpr std::string_view kEmptySchema = R"({"type":"object","properties":{}})";

using Handler = protocol::ToolHandler;

void add_tool(protocol::Catalog& catalog, std::string_view name, std::string_view description,
              std::string_view input_schema, Handler handler, bool may_stream = false) {
  protocol::Tool tool;
  tool.descriptor = json::object{{"name", name}, {"description", description}, {"inputSchema", json::parse(input_schema)}};
  tool.handler = std::move(handler);
  tool.may_stream = may_stream;
  catalog.add_tool(std::move(tool));
}

json::object content_result(json::array content) {
  json::object result;
  result["content"] = std::move(content);
  return result;
}

json::object image_block() { return json::object{{"type", "image"}, {"data", kPng}, {"mimeType", "image/png"}}; }

json::object resource_block(std::string_view uri, std::string_view mime_type, std::string_view text) {
  return json::object{{"type", "resource"},
                      {"resource", json::object{{"uri", uri}, {"mimeType", mime_type}, {"text", text}}}};
}

asio::awaitable<void> sleep_for(RequestContext& context, std::chrono::milliseconds duration) {
  asio::steady_timer timer(context.executor, duration);
  co_await timer.async_wait(asio::use_awaitable);
}

std::string argument_text(json::object const& arguments, std::string_view key) {
  auto const* value = arguments.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

// Legacy (session) content and notification tools.
void add_content_tools(protocol::Catalog& catalog) {
  add_tool(catalog, "test_simple_text", "Tests simple text content response", kEmptySchema,
           [](RequestContext&, json::object const&) -> asio::awaitable<json::object> {
             co_return protocol::text_result("This is a simple text response for testing.");
           });
  add_tool(catalog, "test_image_content", "Tests image content response", kEmptySchema,
           [](RequestContext&, json::object const&) -> asio::awaitable<json::object> {
             co_return content_result(json::array{image_block()});
           });
  add_tool(catalog, "test_audio_content", "Tests audio content response", kEmptySchema,
           [](RequestContext&, json::object const&) -> asio::awaitable<json::object> {
             json::object audio{{"type", "audio"}, {"data", kWav}, {"mimeType", "audio/wav"}};
             co_return content_result(json::array{std::move(audio)});
           });
  add_tool(catalog, "test_embedded_resource", "Tests embedded resource content response", kEmptySchema,
           [](RequestContext&, json::object const&) -> asio::awaitable<json::object> {
             co_return content_result(json::array{
                 resource_block("test://embedded-resource", "text/plain", "This is an embedded resource content.")});
           });
  add_tool(catalog, "test_multiple_content_types", "Tests response with multiple content types (text, image, resource)",
           kEmptySchema, [](RequestContext&, json::object const&) -> asio::awaitable<json::object> {
             json::array content;
             content.push_back(protocol::text_content("Multiple content types test:"));
             content.push_back(image_block());
             content.push_back(resource_block("test://mixed-content-resource", "application/json",
                                              R"({"test":"data","value":123})"));
             co_return content_result(std::move(content));
           });
  add_tool(catalog, "test_error_handling", "Tests error response handling", kEmptySchema,
           [](RequestContext&, json::object const&) -> asio::awaitable<json::object> {
             co_return protocol::error_result("This tool intentionally returns an error for testing");
           });
  add_tool(
      catalog, "test_tool_with_logging", "Tests tool that emits log messages during execution", kEmptySchema,
      [](RequestContext& context, json::object const&) -> asio::awaitable<json::object> {
        co_await context.log(protocol::LogLevel::kInfo, {}, "Tool execution started");
        co_await sleep_for(context, std::chrono::milliseconds(50));
        co_await context.log(protocol::LogLevel::kInfo, {}, "Tool processing data");
        co_await sleep_for(context, std::chrono::milliseconds(50));
        co_await context.log(protocol::LogLevel::kInfo, {}, "Tool execution completed");
        co_return protocol::text_result("Tool with logging executed successfully");
      },
      true);
  add_tool(
      catalog, "test_tool_with_progress", "Tests tool that reports progress notifications", kEmptySchema,
      [](RequestContext& context, json::object const&) -> asio::awaitable<json::object> {
        for (int step : {0, 50, 100}) {
          if (step > 0) co_await sleep_for(context, std::chrono::milliseconds(50));
          co_await context.progress(step, 100, "Completed step " + std::to_string(step) + " of 100");
        }
        auto const& token = context.progress_token;
        co_return protocol::text_result(token.is_null()     ? std::string("0")
                                        : token.is_string() ? std::string(token.get_string())
                                                            : json::serialize(token));
      },
      true);
  add_tool(
      catalog, "test_reconnection",
      "Tests SSE stream disconnection and client reconnection (SEP-1699): the server closes the stream mid-call "
      "and sends the result after the client reconnects.",
      kEmptySchema,
      [](RequestContext& context, json::object const&) -> asio::awaitable<json::object> {
        if (context.channel) context.channel->disconnect();
        co_await sleep_for(context, std::chrono::milliseconds(100));
        co_return protocol::text_result(
            "Reconnection test completed successfully. If you received this, the client properly reconnected "
            "after stream closure.");
      },
      true);
  add_tool(catalog, "json_schema_2020_12_tool",
           "Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)",
           R"({"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
              "$defs":{"address":{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},
              "properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"}},
              "additionalProperties":false})",
           [](RequestContext&, json::object const& arguments) -> asio::awaitable<json::object> {
             co_return protocol::text_result("JSON Schema 2020-12 tool called with: " + json::serialize(arguments));
           });
}

// Server-to-client requests on the session revisions.
void add_client_request_tools(protocol::Catalog& catalog) {
  add_tool(
      catalog, "test_sampling", "Tests server-initiated sampling (LLM completion request)",
      R"({"type":"object","properties":{"prompt":{"type":"string","description":"The prompt to send to the LLM"}},
          "required":["prompt"]})",
      [](RequestContext& context, json::object const& arguments) -> asio::awaitable<json::object> {
        json::object message{{"role", "user"},
                             {"content", json::object{{"type", "text"}, {"text", argument_text(arguments, "prompt")}}}};
        json::object params;
        params["messages"] = json::array{std::move(message)};
        params["maxTokens"] = 100;
        auto result = co_await context.ask_client("sampling/createMessage", std::move(params), "sampling");
        std::string text = "No response";
        if (auto const* content = result.if_contains("content"); content && content->is_object())
          if (auto const* t = content->get_object().if_contains("text"); t && t->is_string())
            text = std::string(t->get_string());
        co_return protocol::text_result("LLM response: " + text);
      },
      true);

  auto elicit = [](std::string message, std::string_view schema, std::string_view prefix) {
    return [message, schema = std::string(schema), prefix = std::string(prefix)](
               RequestContext& context, json::object const& arguments) -> asio::awaitable<json::object> {
      json::object params;
      params["mode"] = "form";
      params["message"] = message.empty() ? argument_text(arguments, "message") : message;
      params["requestedSchema"] = json::parse(schema);
      auto result = co_await context.ask_client("elicitation/create", std::move(params), "elicitation");
      json::value const action = result.contains("action") ? result.at("action") : json::value("unknown");
      json::value const content = result.contains("content") ? result.at("content") : json::value(json::object{});
      co_return protocol::text_result(prefix + ": action=" +
                                      (action.is_string() ? std::string(action.get_string()) : "unknown") +
                                      ", content=" + json::serialize(content));
    };
  };
  add_tool(catalog, "test_elicitation", "Tests server-initiated elicitation (user input request)",
           R"({"type":"object","properties":{"message":{"type":"string","description":"The message to show the user"}},
               "required":["message"]})",
           elicit({}, R"({"type":"object","properties":{"response":{"type":"string","description":"User's response"}},
                       "required":["response"]})",
                  "User response"),
           true);
  add_tool(catalog, "test_elicitation_sep1034_defaults", "Tests elicitation with default values per SEP-1034",
           kEmptySchema,
           elicit("Please review and update the form fields with defaults",
                  R"({"type":"object","properties":{
                      "name":{"type":"string","description":"User name","default":"John Doe"},
                      "age":{"type":"integer","description":"User age","default":30},
                      "score":{"type":"number","description":"User score","default":95.5},
                      "status":{"type":"string","description":"User status","enum":["active","inactive","pending"],
                                "default":"active"},
                      "verified":{"type":"boolean","description":"Verification status","default":true}},
                      "required":[]})",
                  "Elicitation completed"),
           true);
  add_tool(catalog, "test_elicitation_sep1330_enums", "Tests elicitation with enum schema improvements per SEP-1330",
           kEmptySchema,
           elicit("Please select options from the enum fields",
                  R"json({"type":"object","properties":{
                      "untitledSingle":{"type":"string","description":"Select one option",
                                        "enum":["option1","option2","option3"]},
                      "titledSingle":{"type":"string","description":"Select one option with titles",
                                      "oneOf":[{"const":"value1","title":"First Option"},
                                               {"const":"value2","title":"Second Option"},
                                               {"const":"value3","title":"Third Option"}]},
                      "legacyEnum":{"type":"string","description":"Select one option (legacy)",
                                    "enum":["opt1","opt2","opt3"],
                                    "enumNames":["Option One","Option Two","Option Three"]},
                      "untitledMulti":{"type":"array","description":"Select multiple options","minItems":1,
                                       "maxItems":3,"items":{"type":"string","enum":["option1","option2","option3"]}},
                      "titledMulti":{"type":"array","description":"Select multiple options with titles","minItems":1,
                                     "maxItems":3,"items":{"anyOf":[{"const":"value1","title":"First Choice"},
                                                                    {"const":"value2","title":"Second Choice"},
                                                                    {"const":"value3","title":"Third Choice"}]}}},
                      "required":[]})json",
                  "Elicitation completed"),
           true);
}

protocol::ResourceReader text_reader(std::string mime_type, std::string text) {
  return [mime_type, text](RequestContext&, std::string const& uri,
                           std::map<std::string, std::string> const&) -> asio::awaitable<json::object> {
    json::object content{{"uri", uri}, {"mimeType", mime_type}, {"text", text}};
    co_return json::object{{"contents", json::array{std::move(content)}}};
  };
}

void add_resources(protocol::Catalog& catalog) {
  auto add = [&](std::string_view uri, std::string_view name, std::string_view title, std::string_view description,
                 std::string_view mime_type, protocol::ResourceReader reader) {
    protocol::Resource resource;
    resource.descriptor = json::object{{"uri", uri},   {"name", name}, {"title", title}, {"description", description},
                                       {"mimeType", mime_type}};
    resource.reader = std::move(reader);
    catalog.add_resource(std::move(resource));
  };
  add("test://static-text", "static-text", "Static Text Resource", "A static text resource for testing", "text/plain",
      text_reader("text/plain", "This is the content of the static text resource."));
  add("test://static-binary", "static-binary", "Static Binary Resource", "A static binary resource (image) for testing",
      "image/png",
      [](RequestContext&, std::string const& uri,
         std::map<std::string, std::string> const&) -> asio::awaitable<json::object> {
        json::object content{{"uri", uri}, {"mimeType", "image/png"}, {"blob", kPng}};
        co_return json::object{{"contents", json::array{std::move(content)}}};
      });
  add("test://watched-resource", "watched-resource", "Watched Resource", "A resource that can be subscribed to",
      "text/plain", text_reader("text/plain", "Watched resource content"));

  protocol::ResourceTemplate resource_template;
  resource_template.descriptor = json::object{{"uriTemplate", "test://template/{id}/data"},
                                              {"name", "template"},
                                              {"title", "Resource Template"},
                                              {"description", "A resource template with parameter substitution"},
                                              {"mimeType", "application/json"}};
  resource_template.reader = [](RequestContext&, std::string const& uri,
                                std::map<std::string, std::string> const& vars) -> asio::awaitable<json::object> {
    auto const& id = vars.at("id");
    json::object data;
    data["id"] = id;
    data["templateTest"] = true;
    data["data"] = "Data for ID: " + id;
    json::object content{{"uri", uri}, {"mimeType", "application/json"}, {"text", json::serialize(data)}};
    co_return json::object{{"contents", json::array{std::move(content)}}};
  };
  catalog.add_template(std::move(resource_template));
}

json::object user_message(json::object content) {
  json::object message;
  message["role"] = "user";
  message["content"] = std::move(content);
  return message;
}

json::object prompt_result(json::array messages) {
  json::object result;
  result["messages"] = std::move(messages);
  return result;
}

void add_prompts(protocol::Catalog& catalog) {
  auto add = [&](std::string_view name, std::string_view title, std::string_view description,
                 std::string_view arguments, protocol::PromptHandler handler) {
    protocol::Prompt prompt;
    prompt.descriptor = json::object{{"name", name}, {"title", title}, {"description", description}};
    if (!arguments.empty()) prompt.descriptor["arguments"] = json::parse(arguments);
    prompt.handler = std::move(handler);
    if (name == "test_prompt_with_arguments")
      prompt.completers["arg1"] = [](std::string_view partial, json::object const&) {
        std::vector<std::string> values;
        for (std::string_view v : {"paris", "park", "party"})
          if (v.starts_with(partial)) values.emplace_back(v);
        return values;
      };
    catalog.add_prompt(std::move(prompt));
  };
  add("test_simple_prompt", "Simple Test Prompt", "A simple prompt without arguments", {},
      [](RequestContext&, json::object const&) -> asio::awaitable<json::object> {
        co_return prompt_result(json::array{user_message(protocol::text_content("This is a simple prompt for testing."))});
      });
  add("test_prompt_with_arguments", "Prompt With Arguments", "A prompt with required arguments",
      R"([{"name":"arg1","description":"First test argument","required":true},
          {"name":"arg2","description":"Second test argument","required":true}])",
      [](RequestContext&, json::object const& arguments) -> asio::awaitable<json::object> {
        co_return prompt_result(json::array{user_message(protocol::text_content(
            "Prompt with arguments: arg1='" + argument_text(arguments, "arg1") + "', arg2='" +
            argument_text(arguments, "arg2") + "'"))});
      });
  add("test_prompt_with_embedded_resource", "Prompt With Embedded Resource",
      "A prompt that includes an embedded resource",
      R"([{"name":"resourceUri","description":"URI of the resource to embed","required":true}])",
      [](RequestContext&, json::object const& arguments) -> asio::awaitable<json::object> {
        json::array messages;
        messages.push_back(user_message(resource_block(argument_text(arguments, "resourceUri"), "text/plain",
                                                       "Embedded resource content for testing.")));
        messages.push_back(user_message(protocol::text_content("Please process the embedded resource above.")));
        co_return prompt_result(std::move(messages));
      });
  add("test_prompt_with_image", "Prompt With Image", "A prompt that includes image content", {},
      [](RequestContext&, json::object const&) -> asio::awaitable<json::object> {
        json::array messages;
        messages.push_back(user_message(image_block()));
        messages.push_back(user_message(protocol::text_content("Please analyze the image above.")));
        co_return prompt_result(std::move(messages));
      });
}

}  // namespace

void add_conformance_fixtures(protocol::Catalog& catalog, protocol::RequestStateCodec const& request_state) {
  add_content_tools(catalog);
  add_client_request_tools(catalog);
  add_resources(catalog);
  add_prompts(catalog);
  (void)request_state;  // used by the 2026-07-28 multi round-trip fixtures
}

}  // namespace prodmcp::tools
