// resources/list, resources/templates/list, resources/read, resources/subscribe and unsubscribe.
#include "protocol/engine.hpp"

#include <optional>

#include "protocol/pagination.hpp"
#include "protocol/uri_template.hpp"

namespace prodmcp::protocol {

namespace {
std::string required_uri(json::object const& params, std::string_view method) {
  auto const uri = string_param(params, "uri");
  if (!uri || uri->empty())
    throw RpcError{error_code::kInvalidParams, std::string(method) + " needs \"uri\" (a non-empty string)"};
  return std::string(*uri);
}
}  // namespace

asio::awaitable<json::object> Engine::list_resources(RequestContext& context) {
  auto const snapshot = catalog_.snapshot();
  auto const page = page_of(context.params, snapshot->resources.size(), options_.page_size);
  json::array resources;
  for (auto i = page.begin; i < page.end; ++i) resources.push_back(snapshot->resources[i]->descriptor);
  json::object result{{"resources", std::move(resources)}};
  if (page.next_cursor) result["nextCursor"] = *page.next_cursor;
  co_return result;
}

asio::awaitable<json::object> Engine::list_templates(RequestContext& context) {
  auto const snapshot = catalog_.snapshot();
  auto const page = page_of(context.params, snapshot->templates.size(), options_.page_size);
  json::array templates;
  for (auto i = page.begin; i < page.end; ++i) templates.push_back(snapshot->templates[i]->descriptor);
  json::object result{{"resourceTemplates", std::move(templates)}};
  if (page.next_cursor) result["nextCursor"] = *page.next_cursor;
  co_return result;
}

namespace {
// What serves `uri`: a listed resource, or the first template that matches it (with its variables).
struct ResourceOwner {
  std::shared_ptr<Resource const> resource;
  std::shared_ptr<ResourceTemplate const> resource_template;
  std::map<std::string, std::string> vars;
};
std::optional<ResourceOwner> owner_of(Catalog::Snapshot const& snapshot, std::string const& uri) {
  if (auto it = snapshot.resources_by_uri.find(uri); it != snapshot.resources_by_uri.end())
    return ResourceOwner{it->second, nullptr, {}};
  for (auto const& resource_template : snapshot.templates) {
    auto const pattern = string_param(resource_template->descriptor, "uriTemplate");
    if (!pattern) continue;
    if (auto vars = UriTemplate(*pattern).match(uri)) return ResourceOwner{nullptr, resource_template, std::move(*vars)};
  }
  return std::nullopt;
}
}  // namespace

asio::awaitable<json::object> Engine::read_resource(RequestContext& context) {
  auto const uri = required_uri(context.params, "resources/read");
  if (auto const owner = owner_of(*catalog_.snapshot(), uri)) {
    auto const& reader = owner->resource ? owner->resource->reader : owner->resource_template->reader;
    co_return co_await reader(context, uri, owner->vars);
  }
  // 2026-07-28 retired -32002 in favour of -32602; both carry the URI.
  int const code = context.stateless() ? error_code::kInvalidParams : error_code::kResourceNotFound;
  throw RpcError{code, "resource not found: \"" + uri + "\"; resources/list and resources/templates/list name "
                       "what this server can read",
                 json::object{{"uri", uri}}};
}

asio::awaitable<json::object> Engine::subscribe(RequestContext& context) {
  auto const uri = required_uri(context.params, "resources/subscribe");
  if (!context.session->can_subscribe(uri))
    throw RpcError{error_code::kInvalidParams,
                   "this session holds " + std::to_string(Session::kMaxSubscriptions) +
                       " resource subscriptions, the most it may; resources/unsubscribe from some first"};
  // A proxied resource's updates come from its own server: it is told first.
  if (auto const owner = owner_of(*catalog_.snapshot(), uri)) {
    auto const& forward = owner->resource ? owner->resource->forward_subscribe : owner->resource_template->forward_subscribe;
    if (forward) co_await forward(context, uri);
  }
  context.session->subscribe(uri);
  co_return json::object{};
}

asio::awaitable<json::object> Engine::unsubscribe(RequestContext& context) {
  context.session->unsubscribe(required_uri(context.params, "resources/unsubscribe"));
  co_return json::object{};
}

}  // namespace prodmcp::protocol
