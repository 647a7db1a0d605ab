// tools/list and tools/call.
#include "protocol/engine.hpp"
#include "protocol/pagination.hpp"
#include "protocol/schema_validator.hpp"

namespace prodmcp::protocol {

asio::awaitable<json::object> Engine::list_tools(RequestContext& context) {
  auto const snapshot = catalog_.snapshot();
  auto const page = page_of(context.params, snapshot->tools.size(), options_.page_size);
  json::array tools;
  tools.reserve(page.end - page.begin);
  for (auto i = page.begin; i < page.end; ++i) tools.push_back(snapshot->tools[i]->descriptor);
  json::object result{{"tools", std::move(tools)}};
  if (page.next_cursor) result["nextCursor"] = *page.next_cursor;
  co_return result;
}

asio::awaitable<json::object> Engine::call_tool(RequestContext& context) {
  auto const name = string_param(context.params, "name");
  if (!name) throw RpcError{error_code::kInvalidParams, "tools/call needs \"name\" (a string): the tool to call"};
  auto const snapshot = catalog_.snapshot();
  auto const it = snapshot->tools_by_name.find(std::string(*name));
  if (it == snapshot->tools_by_name.end())
    throw RpcError{error_code::kInvalidParams,
                   "unknown tool \"" + std::string(*name) + "\"; tools/list names the tools this server offers",
                   json::object{{"name", *name}}};
  auto const tool = it->second;  // keeps the tool alive while it runs, even if it is removed meanwhile
  json::object const& arguments = object_param(context.params, "arguments");
  if (auto const* schema = tool->descriptor.if_contains("inputSchema"))
    if (auto problem = validate_against_schema(arguments, *schema))
      co_return error_result("invalid arguments for tool \"" + std::string(*name) + "\": " + *problem);
  if (auto failed = co_await inject_fault(context)) co_return std::move(*failed);
  co_return co_await tool->handler(context, arguments);
}

}  // namespace prodmcp::protocol
