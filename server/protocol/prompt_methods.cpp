// prompts/list, prompts/get and completion/complete.
#include "protocol/engine.hpp"
#include "protocol/pagination.hpp"

namespace prodmcp::protocol {

namespace {
constexpr std::size_t kMaxCompletionValues = 100;

std::shared_ptr<Prompt const> find_prompt(Catalog::Snapshot const& snapshot, std::string_view name) {
  auto it = snapshot.prompts_by_name.find(std::string(name));
  if (it == snapshot.prompts_by_name.end())
    throw RpcError{error_code::kInvalidParams,
                   "unknown prompt \"" + std::string(name) + "\"; prompts/list names the prompts this server offers",
                   json::object{{"name", name}}};
  return it->second;
}
}  // namespace

asio::awaitable<json::object> Engine::list_prompts(RequestContext& context) {
  auto const snapshot = catalog_.snapshot();
  auto const page = page_of(context.params, snapshot->prompts.size(), options_.page_size);
  json::array prompts;
  for (auto i = page.begin; i < page.end; ++i) prompts.push_back(snapshot->prompts[i]->descriptor);
  json::object result{{"prompts", std::move(prompts)}};
  if (page.next_cursor) result["nextCursor"] = *page.next_cursor;
  co_return result;
}

asio::awaitable<json::object> Engine::get_prompt(RequestContext& context) {
  auto const name = string_param(context.params, "name");
  if (!name) throw RpcError{error_code::kInvalidParams, "prompts/get needs \"name\" (a string): the prompt to get"};
  auto const prompt = find_prompt(*catalog_.snapshot(), *name);
  json::object const& arguments = object_param(context.params, "arguments");
  for (auto const& [key, value] : arguments)
    if (!value.is_string())
      throw RpcError{error_code::kInvalidParams, "prompt argument \"" + std::string(key) + "\" must be a string"};
  if (auto const* declared = prompt->descriptor.if_contains("arguments"); declared && declared->is_array())
    for (auto const& argument : declared->get_array()) {
      auto const& spec = argument.get_object();
      auto const* required = spec.if_contains("required");
      auto const arg_name = string_param(spec, "name");
      if (required && required->is_bool() && required->get_bool() && arg_name && !arguments.contains(*arg_name))
        throw RpcError{error_code::kInvalidParams, "prompt \"" + std::string(*name) + "\" needs argument \"" +
                                                       std::string(*arg_name) + "\""};
    }
  co_return co_await prompt->handler(context, arguments);
}

asio::awaitable<json::object> Engine::complete(RequestContext& context) {
  auto const& ref = object_param(context.params, "ref");
  auto const& argument = object_param(context.params, "argument");
  auto const type = string_param(ref, "type");
  auto const argument_name = string_param(argument, "name");
  if (!type || !argument_name)
    throw RpcError{error_code::kInvalidParams, "completion/complete needs \"ref\" {type, name|uri} and "
                                               "\"argument\" {name, value}"};
  auto const partial = string_param(argument, "value").value_or("");
  json::object const& completion_context = object_param(object_param(context.params, "context"), "arguments");

  auto const snapshot = catalog_.snapshot();
  Completer const* completer = nullptr;
  std::map<std::string, Completer> const* completers = nullptr;
  CompletionForwarder const* forwarder = nullptr;
  if (*type == "ref/prompt") {
    auto const name = string_param(ref, "name");
    if (!name) throw RpcError{error_code::kInvalidParams, "a ref/prompt needs \"name\""};
    auto const prompt = find_prompt(*snapshot, *name);
    completers = &prompt->completers;
    forwarder = &prompt->forward_completion;
  } else if (*type == "ref/resource") {
    auto const uri = string_param(ref, "uri");
    if (!uri) throw RpcError{error_code::kInvalidParams, "a ref/resource needs \"uri\" (a URI template)"};
    for (auto const& t : snapshot->templates)
      if (string_param(t->descriptor, "uriTemplate") == uri) completers = &t->completers, forwarder = &t->forward_completion;
    if (!completers)
      throw RpcError{error_code::kInvalidParams, "unknown resource template \"" + std::string(*uri) + "\""};
  } else {
    throw RpcError{error_code::kInvalidParams, "ref.type must be \"ref/prompt\" or \"ref/resource\""};
  }
  if (*forwarder) co_return co_await (*forwarder)(context, context.params);  // the snapshot keeps it alive
  if (auto it = completers->find(std::string(*argument_name)); it != completers->end()) completer = &it->second;

  std::vector<std::string> candidates;
  if (completer) candidates = (*completer)(partial, completion_context);
  json::array values;
  for (std::size_t i = 0; i < candidates.size() && i < kMaxCompletionValues; ++i) values.emplace_back(candidates[i]);
  co_return json::object{{"completion", json::object{{"values", std::move(values)},
                                                     {"total", candidates.size()},
                                                     {"hasMore", candidates.size() > kMaxCompletionValues}}}};
}

}  // namespace prodmcp::protocol
