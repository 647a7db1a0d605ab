// tools/list and tools/call.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

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
  if (!tool->upstream.empty()) context.upstream = tool->upstream;
  json::object const& arguments = object_param(context.params, "arguments");
  if (auto const* schema = tool->validate_arguments ? tool->descriptor.if_contains("inputSchema") : nullptr)
    if (auto problem = validate_against_schema(arguments, *schema))
      co_return error_result("invalid arguments for tool \"" + std::string(*name) + "\": " + *problem);
  auto const ttl = cache_ttl(*tool, *name);
  // A round of a multi round-trip request depends on more than the arguments: never cached.
  bool const continues_round = context.params.contains("inputResponses") || context.params.contains("requestState");
  if (!result_cache_ || ttl.count() <= 0 || continues_round) co_return co_await run_tool(context, *tool, arguments);

  auto key = result_cache_->key(*name, arguments);
  if (auto cached = co_await result_cache_->get(key)) {
    boost::system::error_code ec;
    auto value = json::parse(*cached, ec);
    if (!ec && value.is_object()) co_return std::move(value.get_object());
  }
  auto result = co_await run_tool(context, *tool, arguments);
  auto const* is_error = result.if_contains("isError");
  if (!(is_error && is_error->is_bool() && is_error->get_bool()) && !result.contains("resultType"))
    result_cache_->put(std::move(key), json::serialize(result), ttl);
  co_return result;
}

asio::awaitable<json::object> Engine::run_tool(RequestContext& context, Tool const& tool,
                                               json::object const& arguments) {
  if (faults_enabled_.load(std::memory_order_relaxed))
    if (auto failed = co_await inject_fault(context)) co_return std::move(*failed);
  co_return co_await tool.handler(context, arguments);
}

std::chrono::seconds Engine::cache_ttl(Tool const& tool, std::string_view name) const {
  if (cache_overrides_.load(std::memory_order_relaxed)) {
    auto const policy = cache_policy_.load();
    if (auto it = policy->per_tool.find(name); it != policy->per_tool.end()) return it->second;
  }
  if (tool.cache_ttl.count() > 0) return tool.cache_ttl;
  return tool.cacheable ? std::chrono::seconds(cache_default_ttl_s_.load(std::memory_order_relaxed))
                        : std::chrono::seconds(0);
}

}  // namespace prodmcp::protocol
