#pragma once
// The tools, resources, resource templates and prompts a server offers. Readers take an immutable
// snapshot (cheap, lock-free on the hot path); changes publish a new snapshot and tell listeners so
// the transports can send list_changed / resources/updated notifications.
#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "protocol/request_context.hpp"

namespace prodmcp::protocol {

// Returns a CallToolResult object ({content, structuredContent?, isError?}) or, on the stateless
// revision, an input_required result. Throws RpcError for protocol-level failures.
using ToolHandler = std::function<asio::awaitable<json::object>(RequestContext&, json::object const& arguments)>;
// Returns the `contents` array of a ReadResourceResult.
using ResourceReader = std::function<asio::awaitable<json::object>(RequestContext&, std::string const& uri,
                                                                   std::map<std::string, std::string> const& vars)>;
// Returns a GetPromptResult object ({description?, messages}).
using PromptHandler = std::function<asio::awaitable<json::object>(RequestContext&, json::object const& arguments)>;
// Candidate values for an argument given its partial value and the other arguments already chosen.
using Completer = std::function<std::vector<std::string>(std::string_view partial, json::object const& context)>;
// A proxied prompt's or template's completion/complete: the CompleteResult its own server gives
// for `params` (the client's, as the engine received them).
using CompletionForwarder = std::function<asio::awaitable<json::object>(RequestContext&, json::object const& params)>;

struct Tool {
  json::object descriptor;  // name, title?, description, inputSchema, outputSchema?, annotations?
  ToolHandler handler;
  bool may_stream = false;  // sends progress/log/client requests while it runs
  // Streams only for a client that can be asked something (sampling, elicitation, roots) or
  // set a log level: a proxied tool's server may do either, and a stream costs more than JSON.
  bool may_ask_client = false;
  std::string upstream;  // the gateway's upstream that serves it; empty for the server's own
  std::chrono::seconds cache_ttl{0};  // when set, how long its results are cached (before cache.tool_ttl_s)
  bool cacheable = false;   // same arguments, same result: the result cache may answer for it
  // Arguments are checked against inputSchema here; a proxied tool's own server checks them
  // (its schema may use what this validator does not know).
  bool validate_arguments = true;
};

// A proxied resource's resources/subscribe: tells its own server, so updates come from there.
using SubscriptionForwarder = std::function<asio::awaitable<void>(RequestContext&, std::string const& uri)>;

struct Resource {
  json::object descriptor;  // uri, name, title?, description?, mimeType?, size?
  ResourceReader reader;
  SubscriptionForwarder forward_subscribe;  // a proxied one's
};

struct ResourceTemplate {
  json::object descriptor;  // uriTemplate, name, title?, description?, mimeType?
  ResourceReader reader;
  std::map<std::string, Completer> completers;  // by template variable
  CompletionForwarder forward_completion;       // instead of completers, for a proxied one
  SubscriptionForwarder forward_subscribe;      // a proxied one's
};

struct Prompt {
  json::object descriptor;  // name, title?, description?, arguments?
  PromptHandler handler;
  std::map<std::string, Completer> completers;  // by argument name
  CompletionForwarder forward_completion;       // instead of completers, for a proxied one
  bool may_ask_client = false;  // as Tool::may_ask_client: getting it may need the client's input
};

enum class CatalogChange { kTools, kResources, kPrompts };

class Catalog {
 public:
  struct Snapshot {
    std::vector<std::shared_ptr<Tool const>> tools;  // in registration order: deterministic lists
    std::unordered_map<std::string, std::shared_ptr<Tool const>> tools_by_name;
    std::vector<std::shared_ptr<Resource const>> resources;
    std::unordered_map<std::string, std::shared_ptr<Resource const>> resources_by_uri;
    std::vector<std::shared_ptr<ResourceTemplate const>> templates;
    std::vector<std::shared_ptr<Prompt const>> prompts;
    std::unordered_map<std::string, std::shared_ptr<Prompt const>> prompts_by_name;
  };

  Catalog();
  std::shared_ptr<Snapshot const> snapshot() const { return snapshot_.load(std::memory_order_acquire); }

  // Adding replaces an item of the same name or URI.
  void add_tool(Tool tool);
  bool remove_tool(std::string const& name);
  void add_resource(Resource resource);
  void add_template(ResourceTemplate resource_template);
  void add_prompt(Prompt prompt);
  bool remove_prompt(std::string const& name);

  // Many changes at once (a gateway's upstream came up or changed its lists): one new snapshot,
  // one notification per kind that changed. Removals (by name or URI) apply before additions.
  struct Changes {
    std::vector<std::string> remove_tools, remove_resources, remove_templates, remove_prompts;
    std::vector<Tool> tools;
    std::vector<Resource> resources;
    std::vector<ResourceTemplate> templates;
    std::vector<Prompt> prompts;
  };
  void apply(Changes changes);

  // Listeners run on the thread that made the change; keep them short (post work elsewhere).
  using ChangeListener = std::function<void(CatalogChange)>;
  using UpdateListener = std::function<void(std::string const& uri)>;
  void on_change(ChangeListener listener);
  void on_resource_updated(UpdateListener listener);
  // A resource's content changed: subscribers get notifications/resources/updated.
  void resource_updated(std::string const& uri) const;

 private:
  void publish(std::function<void(Snapshot&)> const& edit, CatalogChange change);

  mutable std::mutex write_mutex_;
  std::atomic<std::shared_ptr<Snapshot const>> snapshot_;
  std::vector<ChangeListener> change_listeners_;
  std::vector<UpdateListener> update_listeners_;
};

}  // namespace prodmcp::protocol
