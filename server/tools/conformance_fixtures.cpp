#include "tools/conformance_fixtures.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <optional>

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
  // One that may answer input_required asks a client of the session revisions itself (sampling,
  // elicitation, roots requests on the call's stream).
  tool.may_ask_client = name.starts_with("test_input_required_") || name == "test_missing_capability";
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
              "$defs":{"address":{"$anchor":"address","type":"object",
                                  "properties":{"street":{"type":"string"},"city":{"type":"string"}}}},
              "properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"},
                            "kind":{"type":"string"}},
              "allOf":[{"anyOf":[{"required":["name"]},{"required":["address"]},{"not":{"required":["kind"]}}]}],
              "if":{"properties":{"kind":{"const":"business"}}},"then":{"required":["name"]},"else":{},
              "additionalProperties":false})",
           [](RequestContext&, json::object const& arguments) -> asio::awaitable<json::object> {
             co_return protocol::text_result("JSON Schema 2020-12 tool called with: " + json::serialize(arguments));
           });
}

// 2026-07-28 (SEP-2243): arguments mirrored into Mcp-Param-* headers for intermediaries.
void add_header_param_tool(protocol::Catalog& catalog) {
  add_tool(catalog, "test_header_params", "Test tool: arguments mirrored in Mcp-Param-* headers",
           R"({"type":"object","properties":{
               "region":{"type":"string","x-mcp-header":"Region","description":"Routing region"},
               "priority":{"type":"integer","x-mcp-header":"Priority"},
               "dry_run":{"type":"boolean","x-mcp-header":"Dry-Run"}},"required":["region"]})",
           [](RequestContext&, json::object const& arguments) -> asio::awaitable<json::object> {
             co_return protocol::text_result("header params: " + json::serialize(arguments));
           });
}

// A field of an answer's `content`: the text of a sampling answer, a field of an elicitation answer.
json::value const* content_field(json::object const& answer, std::string_view field) {
  auto const* content = answer.if_contains("content");
  return content && content->is_object() ? content->get_object().if_contains(field) : nullptr;
}

std::optional<std::string> content_text(json::object const& answer, std::string_view field) {
  auto const* value = content_field(answer, field);
  if (!value || !value->is_string()) return std::nullopt;
  return std::string(value->get_string());
}

// sampling/createMessage params asking one user prompt.
json::object sampling_params(std::string_view prompt, int max_tokens) {
  json::object message;
  message["role"] = "user";
  message["content"] = protocol::text_content(prompt);
  json::object params;
  params["messages"] = json::array{std::move(message)};
  params["maxTokens"] = max_tokens;
  return params;
}

// Server-to-client requests on the session revisions.
void add_client_request_tools(protocol::Catalog& catalog) {
  add_tool(
      catalog, "test_sampling", "Tests server-initiated sampling (LLM completion request)",
      R"({"type":"object","properties":{"prompt":{"type":"string","description":"The prompt to send to the LLM"}},
          "required":["prompt"]})",
      [](RequestContext& context, json::object const& arguments) -> asio::awaitable<json::object> {
        auto params = sampling_params(argument_text(arguments, "prompt"), 100);
        auto result = co_await context.ask_client("sampling/createMessage", std::move(params), "sampling");
        co_return protocol::text_result("LLM response: " + content_text(result, "text").value_or("No response"));
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

// ---- 2026-07-28: multi round-trip requests (MRTR) and the stateless wire ---------------------------

json::object elicitation_request(std::string_view message, std::string_view property, std::string_view type) {
  json::object schema;
  schema["type"] = "object";
  schema["properties"].emplace_object()[property] = json::object{{"type", type}};
  schema["required"] = json::array{json::value(property)};
  json::object params;
  params["message"] = message;
  params["requestedSchema"] = std::move(schema);
  return json::object{{"method", "elicitation/create"}, {"params", std::move(params)}};
}

json::object sampling_request(std::string_view prompt, int max_tokens) {
  return json::object{{"method", "sampling/createMessage"}, {"params", sampling_params(prompt, max_tokens)}};
}

json::object roots_request() { return json::object{{"method", "roots/list"}, {"params", json::object{}}}; }

// inputResponses[key].content[field] when it is a string.
std::optional<std::string> answered_text(RequestContext const& context, std::string_view key, std::string_view field) {
  auto const* response = protocol::input_response(context, key);
  return response ? content_text(*response, field) : std::nullopt;
}

std::size_t answered_roots(RequestContext const& context, std::string_view key) {
  auto const* response = protocol::input_response(context, key);
  auto const* roots = response ? response->if_contains("roots") : nullptr;
  return roots && roots->is_array() ? roots->get_array().size() : 0;
}

json::object one_request(std::string_view key, json::object request) {
  json::object requests;
  requests[key] = std::move(request);
  return requests;
}

// "Hello, <name>!" once inputResponses.user_name answers; until then, the request for it.
json::object greet_or_ask_name(RequestContext const& context) {
  if (auto name = answered_text(context, "user_name", "name")) return protocol::text_result("Hello, " + *name + "!");
  return protocol::input_required_result(
      one_request("user_name", elicitation_request("What is your name?", "name", "string")));
}

// The requestState the client echoed, verified; throws -32602 when it was altered or forged.
std::optional<json::object> verified_state(RequestContext const& context,
                                           protocol::RequestStateCodec const& codec) {
  auto const token = protocol::string_param(context.params, "requestState");
  if (!token) return std::nullopt;
  auto state = codec.open(*token);
  if (!state)
    throw RpcError{rpc::kInvalidParams,
                   "requestState failed verification (altered, forged or expired); retry the request without it"};
  return state;
}

void add_mrtr_tools(protocol::Catalog& catalog, protocol::RequestStateCodec const& codec) {
  add_tool(catalog, "test_input_required_result_elicitation",
           "Test tool: returns InputRequiredResult with elicitation request", kEmptySchema,
           [](RequestContext& context, json::object const&) -> asio::awaitable<json::object> {
             co_return greet_or_ask_name(context);
           });
  add_tool(catalog, "test_input_required_result_sampling",
           "Test tool: returns InputRequiredResult with sampling request", kEmptySchema,
           [](RequestContext& context, json::object const&) -> asio::awaitable<json::object> {
             if (protocol::input_response(context, "sample_request")) {
               auto text = answered_text(context, "sample_request", "text");
               co_return protocol::text_result("Sampling result: " + text.value_or("no response"));
             }
             co_return protocol::input_required_result(
                 one_request("sample_request", sampling_request("What is the capital of France?", 100)));
           });
  add_tool(catalog, "test_input_required_result_list_roots",
           "Test tool: returns InputRequiredResult with list roots request", kEmptySchema,
           [](RequestContext& context, json::object const&) -> asio::awaitable<json::object> {
             if (protocol::input_response(context, "roots_request"))
               co_return protocol::text_result("Found " + std::to_string(answered_roots(context, "roots_request")) +
                                               " root(s)");
             co_return protocol::input_required_result(one_request("roots_request", roots_request()));
           });
  for (std::string_view name : {"test_input_required_result_request_state", "test_input_required_result_tampered_state"})
    add_tool(catalog, name, "Test tool: returns InputRequiredResult with a signed requestState", kEmptySchema,
             [&codec](RequestContext& context, json::object const&) -> asio::awaitable<json::object> {
               auto const state = verified_state(context, codec);
               auto const* confirm = protocol::input_response(context, "confirm");
               auto const* ok = confirm ? content_field(*confirm, "ok") : nullptr;
               if (state && state->contains("kind") && state->at("kind") == "request-state" && ok && ok->is_bool() &&
                   ok->get_bool())
                 co_return protocol::text_result("state-ok: requestState validated");
               json::object fresh;
               fresh["kind"] = "request-state";
               co_return protocol::input_required_result(
                   one_request("confirm", elicitation_request("Please confirm", "ok", "boolean")), codec.seal(fresh));
             });
  add_tool(catalog, "test_input_required_result_multiple_inputs",
           "Test tool: returns InputRequiredResult with multiple input requests", kEmptySchema,
           [&codec](RequestContext& context, json::object const&) -> asio::awaitable<json::object> {
             auto const state = verified_state(context, codec);
             if (state && protocol::input_response(context, "user_name") &&
                 protocol::input_response(context, "greeting") && protocol::input_response(context, "client_roots")) {
               co_return protocol::text_result(
                   "Name: " + answered_text(context, "user_name", "name").value_or("unknown") +
                   "; Greeting: " + answered_text(context, "greeting", "text").value_or("Hello there!") +
                   "; Roots: " + std::to_string(answered_roots(context, "client_roots")));
             }
             json::object requests;
             requests["user_name"] = elicitation_request("What is your name?", "name", "string");
             requests["greeting"] = sampling_request("Generate a greeting", 50);
             requests["client_roots"] = roots_request();
             json::object fresh;
             fresh["kind"] = "multiple-inputs";
             co_return protocol::input_required_result(std::move(requests), codec.seal(fresh));
           });
  add_tool(catalog, "test_input_required_result_multi_round",
           "Test tool: returns InputRequiredResult across multiple rounds", kEmptySchema,
           [&codec](RequestContext& context, json::object const&) -> asio::awaitable<json::object> {
             auto const state = verified_state(context, codec);
             auto const round = state && state->contains("round") ? state->at("round").to_number<int>() : 0;
             if (round == 1) {
               if (auto name = answered_text(context, "step1", "name")) {
                 json::object next;
                 next["round"] = 2;
                 next["name"] = *name;
                 co_return protocol::input_required_result(
                     one_request("step2", elicitation_request("Step 2: What is your favorite color?", "color", "string")),
                     codec.seal(next));
               }
             }
             if (round == 2) {
               if (auto color = answered_text(context, "step2", "color")) {
                 std::string const name = state->contains("name") ? std::string(state->at("name").get_string()) : "friend";
                 co_return protocol::text_result("Multi-round complete for " + name + " who likes " + *color);
               }
             }
             json::object first;
             first["round"] = 1;
             co_return protocol::input_required_result(
                 one_request("step1", elicitation_request("Step 1: What is your name?", "name", "string")),
                 codec.seal(first));
           });
  add_tool(catalog, "test_input_required_result_capabilities",
           "Test tool: asks only for the input the client declared it can give", kEmptySchema,
           [](RequestContext& context, json::object const&) -> asio::awaitable<json::object> {
             if (auto const* responses = context.params.if_contains("inputResponses");
                 responses && responses->is_object() && !responses->get_object().empty())
               co_return protocol::text_result("capabilities-ok: answered " +
                                               std::to_string(responses->get_object().size()) + " request(s)");
             json::object requests;
             if (context.client_has_capability("elicitation"))
               requests["user_name"] = elicitation_request("What is your name?", "name", "string");
             if (context.client_has_capability("sampling"))
               requests["sample_request"] = sampling_request("What is the capital of France?", 100);
             if (context.client_has_capability("roots")) requests["roots_request"] = roots_request();
             if (requests.empty())
               throw RpcError{rpc::kMissingClientCapability,
                              "this tool needs one of the client capabilities elicitation, sampling or roots",
                              json::object{{"requiredCapabilities", json::object{{"elicitation", json::object{}}}}}};
             co_return protocol::input_required_result(std::move(requests));
           });

  protocol::Prompt prompt;
  prompt.descriptor = json::object{{"name", "test_input_required_result_prompt"},
                                   {"description", "Test prompt: returns InputRequiredResult with elicitation request"}};
  prompt.handler = [](RequestContext& context, json::object const&) -> asio::awaitable<json::object> {
    if (auto text = answered_text(context, "user_context", "context"))
      co_return prompt_result(json::array{user_message(protocol::text_content("Prompt with context: " + *text))});
    co_return protocol::input_required_result(
        one_request("user_context", elicitation_request("What context should the prompt use?", "context", "string")));
  };
  prompt.may_ask_client = true;
  catalog.add_prompt(std::move(prompt));
}

void add_stateless_tools(protocol::Catalog& catalog) {
  add_tool(catalog, "test_missing_capability", "Test tool: needs the client's sampling capability", kEmptySchema,
           [](RequestContext& context, json::object const&) -> asio::awaitable<json::object> {
             if (!context.client_has_capability("sampling"))
               throw RpcError{rpc::kMissingClientCapability,
                              "test_missing_capability needs the client capability \"sampling\"; declare it in "
                              "_meta[\"io.modelcontextprotocol/clientCapabilities\"]",
                              json::object{{"requiredCapabilities", json::object{{"sampling", json::object{}}}}}};
             co_return protocol::input_required_result(
                 one_request("sample_request", sampling_request("Say hello", 20)));
           });
  add_tool(
      catalog, "test_logging_tool", "Test tool: logs at info level when the request asks for logs", kEmptySchema,
      [](RequestContext& context, json::object const&) -> asio::awaitable<json::object> {
        co_await context.log(protocol::LogLevel::kInfo, "conformance", "Tool execution started");
        co_await context.log(protocol::LogLevel::kInfo, "conformance", "Tool execution completed");
        co_return protocol::text_result("Logging tool executed");
      },
      true);
  add_tool(
      catalog, "test_streaming_elicitation", "Test tool: asks for input through an InputRequiredResult on a stream",
      kEmptySchema,
      [](RequestContext& context, json::object const&) -> asio::awaitable<json::object> {
        if (!answered_text(context, "user_name", "name")) co_await context.progress(0, 1, "asking for input");
        co_return greet_or_ask_name(context);
      },
      true);
  add_tool(catalog, "test_trigger_tool_change", "Test tool: adds or removes a tool (tools/list_changed)", kEmptySchema,
           [&catalog](RequestContext&, json::object const&) -> asio::awaitable<json::object> {
             if (!catalog.remove_tool("test_dynamic_tool"))
               add_tool(catalog, "test_dynamic_tool", "A tool that comes and goes", kEmptySchema,
                        [](RequestContext&, json::object const&) -> asio::awaitable<json::object> {
                          co_return protocol::text_result("dynamic tool called");
                        });
             co_return protocol::text_result("tool list changed");
           });
  add_tool(catalog, "test_trigger_prompt_change", "Test tool: adds or removes a prompt (prompts/list_changed)",
           kEmptySchema, [&catalog](RequestContext&, json::object const&) -> asio::awaitable<json::object> {
             if (!catalog.remove_prompt("test_dynamic_prompt")) {
               protocol::Prompt prompt;
               prompt.descriptor = json::object{{"name", "test_dynamic_prompt"}, {"description", "A prompt that comes and goes"}};
               prompt.handler = [](RequestContext&, json::object const&) -> asio::awaitable<json::object> {
                 co_return prompt_result(json::array{user_message(protocol::text_content("dynamic prompt"))});
               };
               catalog.add_prompt(std::move(prompt));
             }
             co_return protocol::text_result("prompt list changed");
           });
}

}  // namespace

void add_conformance_fixtures(protocol::Catalog& catalog, protocol::RequestStateCodec const& request_state) {
  add_content_tools(catalog);
  add_client_request_tools(catalog);
  add_header_param_tool(catalog);
  add_resources(catalog);
  add_prompts(catalog);
  add_mrtr_tools(catalog, request_state);
  add_stateless_tools(catalog);
}

}  // namespace prodmcp::tools
