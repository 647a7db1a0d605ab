#include "http/mirrored_headers.hpp"

#include <charconv>

#include "http/http_listener.hpp"
#include "protocol/catalog.hpp"
#include "protocol/engine.hpp"
#include "protocol/meta_keys.hpp"
#include "protocol/request_state.hpp"

namespace prodmcp::http {

namespace json = boost::json;
namespace rpc = protocol::error_code;
using protocol::RpcError;

namespace {

// A header value quoted in an error message, cut so a huge header cannot make a huge answer.
std::string quoted(std::string_view value) {
  constexpr std::size_t kShown = 200;
  if (value.size() <= kShown) return "\"" + std::string(value) + "\"";
  return "\"" + std::string(value.substr(0, kShown)) + "\"... (" + std::to_string(value.size()) + " bytes)";
}

bool header_matches_argument(std::string_view header, json::value const& argument) {
  auto const decoded = decode_mirrored_header(header);
  if (!decoded) return false;
  if (argument.is_string()) return *decoded == argument.get_string();
  if (argument.is_bool()) return *decoded == (argument.get_bool() ? "true" : "false");
  if (argument.is_int64() || argument.is_uint64() || argument.is_double()) {
    double parsed = 0;
    auto const [end, ec] = std::from_chars(decoded->data(), decoded->data() + decoded->size(), parsed);
    if (ec != std::errc{} || end != decoded->data() + decoded->size()) return false;
    return parsed == argument.to_number<double>();
  }
  return false;
}

RpcError mismatch(std::string text) { return RpcError{rpc::kHeaderMismatch, std::move(text)}; }

// Mcp-Param-* headers named by the called tool's inputSchema (`x-mcp-header`).
std::optional<RpcError> check_parameter_headers(HeaderLookup const& headers, json::object const& params,
                                                protocol::Catalog const& catalog) {
  auto const tool_name = protocol::string_param(params, "name");
  if (!tool_name) return std::nullopt;
  auto const snapshot = catalog.snapshot();
  auto const tool = snapshot->tools_by_name.find(std::string(*tool_name));
  if (tool == snapshot->tools_by_name.end()) return std::nullopt;
  auto const* schema = tool->second->descriptor.if_contains("inputSchema");
  auto const* properties = schema && schema->is_object() ? schema->get_object().if_contains("properties") : nullptr;
  if (!properties || !properties->is_object()) return std::nullopt;
  json::object const* arguments = nullptr;
  if (auto const* a = params.if_contains("arguments"); a && a->is_object()) arguments = &a->get_object();
  for (auto const& [property, definition] : properties->get_object()) {
    auto const* header_name = definition.is_object() ? definition.get_object().if_contains("x-mcp-header") : nullptr;
    if (!header_name || !header_name->is_string()) continue;
    std::string const header = "Mcp-Param-" + std::string(header_name->get_string());
    auto const* argument = arguments ? arguments->if_contains(property) : nullptr;
    auto const value = headers(header);
    if (!argument || argument->is_null()) {
      if (value)
        return mismatch("the " + header + " header is present but argument \"" + std::string(property) + "\" is not");
      continue;
    }
    if (!value)
      return mismatch("the " + header + " header is required: it mirrors argument \"" + std::string(property) + "\"");
    if (!header_matches_argument(*value, *argument))
      return mismatch("the " + header + " header does not match argument \"" + std::string(property) + "\"");
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> decode_mirrored_header(std::string_view value) {
  value = trim(value);
  if (value.starts_with("=?base64?") && value.ends_with("?=") && value.size() >= 11) {
    auto const encoded = value.substr(9, value.size() - 11);
    if (encoded.size() % 4 != 0) return std::nullopt;  // standard base64 is padded
    return protocol::base64_decode(encoded);
  }
  // Plain values are visible ASCII; anything else had to be sent base64-encoded.
  for (char c : value)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) return std::nullopt;
  return std::string(value);
}

std::optional<RpcError> check_mirrored_headers(HeaderLookup const& headers, json::object const& message,
                                               protocol::Catalog const& catalog) {
  std::string_view const method = message.at("method").get_string();
  json::object const* params = nullptr;
  if (auto const* p = message.if_contains("params"); p && p->is_object()) params = &p->get_object();
  std::string_view meta_version;
  if (params)
    if (auto const* meta = params->if_contains("_meta"); meta && meta->is_object())
      if (auto const* v = meta->get_object().if_contains(protocol::meta_key::kProtocolVersion); v && v->is_string())
        meta_version = v->get_string();

  auto const version = headers("MCP-Protocol-Version");
  if (!version)
    return mismatch("the MCP-Protocol-Version header is required and must equal params._meta[\"" +
                    std::string(protocol::meta_key::kProtocolVersion) + "\"]");
  if (trim(*version) != meta_version)
    return mismatch("the MCP-Protocol-Version header (" + quoted(trim(*version)) +
                    ") does not match params._meta protocolVersion (" + quoted(meta_version) + ")");
  auto const method_header = headers("Mcp-Method");
  if (!method_header) return mismatch("the Mcp-Method header is required and must equal the JSON-RPC method");
  if (trim(*method_header) != method)
    return mismatch("the Mcp-Method header (" + quoted(trim(*method_header)) + ") does not match the method " +
                    quoted(method));

  std::string_view name_key;
  if (method == "tools/call" || method == "prompts/get") name_key = "name";
  if (method == "resources/read") name_key = "uri";
  if (!name_key.empty() && params) {
    if (auto const value = protocol::string_param(*params, name_key)) {
      auto const header = headers("Mcp-Name");
      if (!header)
        return mismatch("the Mcp-Name header is required for " + std::string(method) + " and must equal params." +
                        std::string(name_key));
      if (decode_mirrored_header(*header) != *value)
        return mismatch("the Mcp-Name header (" + quoted(trim(*header)) + ") does not match params." +
                        std::string(name_key) + " (" + quoted(*value) +
                        "); a name that is not visible ASCII is sent as =?base64?...?=");
    }
  }

  if (method != "tools/call" || !params) return std::nullopt;
  return check_parameter_headers(headers, *params, catalog);
}

}  // namespace prodmcp::http
