#include "tools/builtin_tools.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>
#include <array>
#include <cstdlib>
#include <random>

#include "logging/log.hpp"
#include "protocol/engine.hpp"

namespace prodmcp::tools {

namespace json = boost::json;
namespace asio = boost::asio;
using protocol::RequestContext;

namespace {

struct HttpStatus {
  int code;
  std::string_view name;
  std::string_view meaning;
};

constexpr std::array kHttpStatuses = {
    HttpStatus{200, "OK", "The request succeeded."},
    HttpStatus{201, "Created", "The request succeeded and created a resource."},
    HttpStatus{202, "Accepted", "The request was accepted for processing, which has not finished."},
    HttpStatus{204, "No Content", "The request succeeded; there is no body."},
    HttpStatus{301, "Moved Permanently", "The resource has a new permanent URL (Location)."},
    HttpStatus{302, "Found", "The resource is temporarily at another URL (Location)."},
    HttpStatus{304, "Not Modified", "The cached copy is still valid."},
    HttpStatus{400, "Bad Request", "The request is malformed; fix it before retrying."},
    HttpStatus{401, "Unauthorized", "Credentials are missing or invalid (see WWW-Authenticate)."},
    HttpStatus{403, "Forbidden", "The credentials are valid but not allowed to do this."},
    HttpStatus{404, "Not Found", "Nothing exists at this URL (for MCP: the session ended)."},
    HttpStatus{405, "Method Not Allowed", "The URL does not accept this HTTP method (see Allow)."},
    HttpStatus{406, "Not Acceptable", "The server cannot produce any type the Accept header lists."},
    HttpStatus{408, "Request Timeout", "The client took too long to send the request; it may retry."},
    HttpStatus{409, "Conflict", "The request conflicts with the resource's current state."},
    HttpStatus{410, "Gone", "The resource existed but was removed for good."},
    HttpStatus{413, "Content Too Large", "The body exceeds the server's limit."},
    HttpStatus{415, "Unsupported Media Type", "The body's Content-Type is not accepted."},
    HttpStatus{422, "Unprocessable Content", "The request is well-formed but its content is invalid."},
    HttpStatus{429, "Too Many Requests", "Rate limited; wait for Retry-After before retrying."},
    HttpStatus{431, "Request Header Fields Too Large", "The request's headers exceed the server's limit."},
    HttpStatus{500, "Internal Server Error", "The server failed; retrying may help if the request is idempotent."},
    HttpStatus{502, "Bad Gateway", "An upstream server answered badly."},
    HttpStatus{503, "Service Unavailable", "The server is overloaded or not ready; retry after a while."},
    HttpStatus{504, "Gateway Timeout", "An upstream server did not answer in time."},
};

HttpStatus const* find_status(std::int64_t code) {
  auto it = std::find_if(kHttpStatuses.begin(), kHttpStatuses.end(), [&](auto const& s) { return s.code == code; });
  return it == kHttpStatuses.end() ? nullptr : &*it;
}

std::string known_codes() {
  std::string list;
  for (auto const& status : kHttpStatuses) list += (list.empty() ? "" : ", ") + std::to_string(status.code);
  return list;
}

json::object status_json(HttpStatus const& status) {
  static constexpr std::array kClasses = {"informational", "success", "redirection", "client error",
                                          "server error"};
  return json::object{{"code", status.code},
                      {"name", status.name},
                      {"class", kClasses[static_cast<std::size_t>(status.code / 100 - 1)]},
                      {"meaning", status.meaning},
                      {"retryable", status.code == 429 || status.code == 502 || status.code == 503 ||
                                        status.code == 504}};
}

json::object structured_result(json::object structured) {
  json::object result;
  json::array content;
  content.push_back(protocol::text_content(json::serialize(structured)));
  result["content"] = std::move(content);
  result["structuredContent"] = std::move(structured);
  return result;
}

json::value parse_schema(std::string_view text) { return json::parse(text); }

void add_echo(protocol::Catalog& catalog) {
  protocol::Tool tool;
  tool.descriptor = json::object{
      {"name", "echo"},
      {"title", "Echo"},
      {"description", "Returns the message it is given. Useful to check that a client reaches the server."},
      {"inputSchema", parse_schema(R"({"type":"object","properties":{"message":{"type":"string",
        "description":"Text to send back"}},"required":["message"],"additionalProperties":false})")},
      {"outputSchema", parse_schema(R"({"type":"object","properties":{"message":{"type":"string"}},
        "required":["message"]})")},
      {"annotations", json::object{{"readOnlyHint", true}, {"idempotentHint", true}, {"openWorldHint", false}}}};
  tool.handler = [](RequestContext&, json::object const& arguments) -> asio::awaitable<json::object> {
    json::object structured;
    structured["message"] = arguments.at("message");
    json::object result;
    json::array content;
    content.push_back(protocol::text_content(arguments.at("message").get_string()));
    result["content"] = std::move(content);
    result["structuredContent"] = std::move(structured);
    co_return result;
  };
  catalog.add_tool(std::move(tool));
}

void add_server_status(protocol::Catalog& catalog, StatusProvider status) {
  protocol::Tool tool;
  tool.descriptor = json::object{
      {"name", "server_status"},
      {"title", "Server status"},
      {"description", "Uptime, version, open sessions and request counts of this server."},
      {"inputSchema", parse_schema(R"({"type":"object","properties":{},"additionalProperties":false})")},
      {"annotations", json::object{{"readOnlyHint", true}, {"openWorldHint", false}}}};
  tool.handler = [status](RequestContext&, json::object const&) -> asio::awaitable<json::object> {
    co_return structured_result(status());
  };
  catalog.add_tool(std::move(tool));

  protocol::Resource resource;
  resource.descriptor = json::object{{"uri", "prodmcp://server/status"},
                                     {"name", "server-status"},
                                     {"title", "Server status"},
                                     {"description", "The server's own state as JSON (what server_status returns)."},
                                     {"mimeType", "application/json"}};
  resource.reader = [status](RequestContext&, std::string const& uri,
                             std::map<std::string, std::string> const&) -> asio::awaitable<json::object> {
    json::object content{{"uri", uri}, {"mimeType", "application/json"}, {"text", json::serialize(status())}};
    json::array contents;
    contents.push_back(std::move(content));
    co_return json::object{{"contents", std::move(contents)}};
  };
  catalog.add_resource(std::move(resource));
}

void add_http_status(protocol::Catalog& catalog) {
  protocol::Tool tool;
  tool.descriptor = json::object{
      {"name", "http_status_lookup"},
      {"title", "HTTP status lookup"},
      {"description", "Explains an HTTP status code: its name, class, meaning and whether a retry can help. "
                      "Deterministic, so its results are cacheable."},
      {"inputSchema", parse_schema(R"({"type":"object","properties":{"code":{"type":"integer","minimum":100,
        "maximum":599,"description":"The status code, e.g. 503"}},"required":["code"],"additionalProperties":false})")},
      {"outputSchema", parse_schema(R"({"type":"object","properties":{"code":{"type":"integer"},
        "name":{"type":"string"},"class":{"type":"string"},"meaning":{"type":"string"},"retryable":{"type":"boolean"}},
        "required":["code","name","class","meaning","retryable"]})")},
      {"annotations", json::object{{"readOnlyHint", true}, {"idempotentHint", true}, {"openWorldHint", false}}}};
  tool.cacheable = true;
  tool.handler = [](RequestContext&, json::object const& arguments) -> asio::awaitable<json::object> {
    auto const code = arguments.at("code").to_number<std::int64_t>();
    auto const* status = find_status(code);
    if (!status)
      co_return protocol::error_result("no description for HTTP status " + std::to_string(code) +
                                       "; known codes: " + known_codes());
    co_return structured_result(status_json(*status));
  };
  catalog.add_tool(std::move(tool));

  protocol::ResourceTemplate resource_template;
  resource_template.descriptor = json::object{{"uriTemplate", "prodmcp://http-status/{code}"},
                                              {"name", "http-status"},
                                              {"title", "HTTP status"},
                                              {"description", "One HTTP status code explained, as JSON."},
                                              {"mimeType", "application/json"}};
  resource_template.reader = [](RequestContext&, std::string const& uri,
                                std::map<std::string, std::string> const& vars) -> asio::awaitable<json::object> {
    auto const& code_text = vars.at("code");
    int code = 0;
    for (char c : code_text) code = std::isdigit(static_cast<unsigned char>(c)) ? code * 10 + (c - '0') : -1'000'000;
    auto const* status = find_status(code);
    if (!status) throw protocol::RpcError{protocol::error_code::kResourceNotFound, "no such HTTP status: " + code_text,
                                          json::object{{"uri", uri}}};
    json::object content{{"uri", uri}, {"mimeType", "application/json"},
                         {"text", json::serialize(status_json(*status))}};
    json::array contents;
    contents.push_back(std::move(content));
    co_return json::object{{"contents", std::move(contents)}};
  };
  resource_template.completers["code"] = [](std::string_view partial, json::object const&) {
    std::vector<std::string> values;
    for (auto const& status : kHttpStatuses)
      if (auto text = std::to_string(status.code); text.starts_with(partial)) values.push_back(text);
    return values;
  };
  catalog.add_template(std::move(resource_template));
}

void add_simulate_workload(protocol::Catalog& catalog) {
  protocol::Tool tool;
  tool.descriptor = json::object{
      {"name", "simulate_workload"},
      {"title", "Simulate workload"},
      {"description", "Works for duration_ms in `steps` steps, reporting progress and logging each step; fails "
                      "with probability failure_rate. For demos of latency, progress, cancellation and errors."},
      {"inputSchema", parse_schema(R"({"type":"object","properties":{
        "duration_ms":{"type":"integer","minimum":0,"maximum":60000,"default":1000},
        "steps":{"type":"integer","minimum":1,"maximum":100,"default":5},
        "failure_rate":{"type":"number","minimum":0,"maximum":1,"default":0}},"additionalProperties":false})")},
      {"annotations", json::object{{"readOnlyHint", true}, {"openWorldHint", false}}}};
  tool.may_stream = true;
  tool.handler = [](RequestContext& context, json::object const& arguments) -> asio::awaitable<json::object> {
    auto number = [&](std::string_view key, double fallback) {
      auto const* value = arguments.if_contains(key);
      return value ? value->to_number<double>() : fallback;
    };
    auto const duration = std::chrono::milliseconds(static_cast<std::int64_t>(number("duration_ms", 1000)));
    auto const steps = static_cast<int>(number("steps", 5));
    auto const failure_rate = number("failure_rate", 0);
    asio::steady_timer timer(context.executor);
    for (int step = 1; step <= steps; ++step) {
      timer.expires_after(duration / steps);
      co_await timer.async_wait(asio::use_awaitable);  // cancellation ends the work here
      co_await context.progress(step, steps, "step " + std::to_string(step) + " of " + std::to_string(steps));
      json::object detail;  // built outside the co_await: GCC 12 miscompiles braced lists there
      detail["step"] = step;
      detail["of"] = steps;
      co_await context.log(protocol::LogLevel::kDebug, "simulate_workload", std::move(detail));
    }
    thread_local std::mt19937 random{std::random_device{}()};
    if (std::uniform_real_distribution<double>(0, 1)(random) < failure_rate)
      co_return protocol::error_result("simulated failure (failure_rate " + std::to_string(failure_rate) + ")");
    co_return protocol::text_result("completed " + std::to_string(steps) + " steps in " +
                                    std::to_string(duration.count()) + " ms");
  };
  catalog.add_tool(std::move(tool));
}

void add_incident_prompt(protocol::Catalog& catalog) {
  protocol::Prompt prompt;
  prompt.descriptor = json::object{
      {"name", "incident_summary"},
      {"title", "Incident summary"},
      {"description", "Asks the model for a short incident summary for an on-call handover."},
      {"arguments", parse_schema(R"([{"name":"service","description":"Affected service","required":true},
        {"name":"symptom","description":"What users see, e.g. high latency","required":true},
        {"name":"severity","description":"critical, warning or info","required":false}])")}};
  prompt.handler = [](RequestContext&, json::object const& arguments) -> asio::awaitable<json::object> {
    auto text = [&](std::string_view key, std::string_view fallback) {
      auto const* value = arguments.if_contains(key);
      return value && value->is_string() ? std::string(value->get_string()) : std::string(fallback);
    };
    std::string const body = "Write a five-line incident summary for the on-call handover. Service: " +
                             text("service", "?") + ". Symptom: " + text("symptom", "?") +
                             ". Severity: " + text("severity", "warning") +
                             ". Cover impact, timeline, suspected cause, mitigation and next steps.";
    json::object message;
    message["role"] = "user";
    message["content"] = protocol::text_content(body);
    json::object result;
    result["description"] = "Incident summary for " + text("service", "?");
    result["messages"].emplace_array().push_back(std::move(message));
    co_return result;
  };
  prompt.completers["severity"] = [](std::string_view partial, json::object const&) {
    std::vector<std::string> values;
    for (std::string_view level : {"critical", "warning", "info"})
      if (level.starts_with(partial)) values.emplace_back(level);
    return values;
  };
  catalog.add_prompt(std::move(prompt));
}

}  // namespace

void add_crash_tool(protocol::Catalog& catalog, std::function<bool()> armed) {
  protocol::Tool tool;
  tool.descriptor = json::object{
      {"name", "simulate_crash"},
      {"title", "Simulate a crash"},
      {"description", "Ends the server process abruptly, as a crashing tool would, to show supervision and "
                      "restarts. Refuses unless armed on the admin port (PUT /faults {\"crash_tool\": true}); "
                      "not offered in the production profile."},
      {"inputSchema", parse_schema(R"({"type":"object","additionalProperties":false})")},
      {"annotations", json::object{{"destructiveHint", true}, {"idempotentHint", false}, {"openWorldHint", false}}}};
  tool.handler = [armed = std::move(armed)](RequestContext&, json::object const&) -> asio::awaitable<json::object> {
    if (!armed())
      co_return protocol::error_result(
          "simulate_crash is not armed: arm it with PUT /faults {\"crash_tool\": true} on the admin port");
    logging::write(logging::Level::kCritical, "tools", "simulated_crash", json::object{{"signal", "SIGABRT"}});
    logging::flush();
    std::abort();
  };
  catalog.add_tool(std::move(tool));
}

void add_builtin_tools(protocol::Catalog& catalog, StatusProvider status) {
  add_echo(catalog);
  add_server_status(catalog, std::move(status));
  add_http_status(catalog);
  add_simulate_workload(catalog);
  add_incident_prompt(catalog);
}

}  // namespace prodmcp::tools
