#include "protocol/jsonrpc.hpp"

#include "util/utf8.hpp"

namespace prodmcp::protocol {

namespace {
bool is_valid_id(json::value const& id) { return id.is_string() || id.is_int64() || id.is_uint64(); }
}  // namespace

Classification classify(json::value const& message) {
  auto const* object = message.if_object();
  if (!object) return {MessageKind::kInvalid, "a JSON-RPC message must be a JSON object"};
  auto const* version = object->if_contains("jsonrpc");
  if (!version || !version->is_string() || version->get_string() != "2.0")
    return {MessageKind::kInvalid, "the \"jsonrpc\" member must be the string \"2.0\""};

  auto const* id = object->if_contains("id");
  if (auto const* method = object->if_contains("method")) {
    if (!method->is_string()) return {MessageKind::kInvalid, "\"method\" must be a string"};
    if (auto const* params = object->if_contains("params"); params && !params->is_object())
      return {MessageKind::kInvalid, "\"params\" must be an object in MCP"};
    if (!id) return {MessageKind::kNotification, {}};
    if (!is_valid_id(*id))
      return {MessageKind::kInvalid, "\"id\" must be a string or an integer (never null)"};
    return {MessageKind::kRequest, {}};
  }
  bool const has_result = object->contains("result");
  bool const has_error = object->contains("error");
  if (has_result != has_error && id) {
    if (!is_valid_id(*id) && !(has_error && id->is_null()))
      return {MessageKind::kInvalid, "a response \"id\" must be a string or an integer"};
    if (has_error && !object->at("error").is_object())
      return {MessageKind::kInvalid, "\"error\" must be an object"};
    return {MessageKind::kResponse, {}};
  }
  return {MessageKind::kInvalid, "a JSON-RPC message needs \"method\" (request or notification) or "
                                 "exactly one of \"result\"/\"error\" with an \"id\" (response)"};
}

json::value id_of(json::value const& message) {
  if (auto const* object = message.if_object())
    if (auto const* id = object->if_contains("id"); id && is_valid_id(*id)) return *id;
  return nullptr;
}

json::object make_result(json::value id, json::object result) {
  json::object response;
  response.reserve(3);
  response.emplace("jsonrpc", "2.0");
  response.emplace("id", std::move(id));
  response.emplace("result", std::move(result));
  return response;
}

json::object make_error(json::value id, int code, std::string_view message, json::value data) {
  json::object error;
  error.emplace("code", code);
  // Messages quote what a client sent (header values, names), which may be any bytes.
  if (util::is_valid_utf8(message)) error.emplace("message", message);
  else error.emplace("message", util::to_valid_utf8(message));
  if (!data.is_null()) error.emplace("data", std::move(data));
  json::object response;
  response.emplace("jsonrpc", "2.0");
  response.emplace("id", std::move(id));
  response.emplace("error", std::move(error));
  return response;
}

json::object make_error(json::value id, RpcError const& error) {
  return make_error(std::move(id), error.code, error.message, error.data);
}

json::object make_notification(std::string_view method, json::object params) {
  json::object notification;
  notification.emplace("jsonrpc", "2.0");
  notification.emplace("method", method);
  notification.emplace("params", std::move(params));
  return notification;
}

}  // namespace prodmcp::protocol
