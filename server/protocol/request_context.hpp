#pragma once
// What a handler knows about the request it serves, and what it may do while serving it:
// send related notifications (progress, log), ask the client (sampling, elicitation, roots).
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "protocol/log_level.hpp"
#include "protocol/revision.hpp"

namespace prodmcp::protocol {

namespace json = boost::json;
namespace asio = boost::asio;

class Session;

// Carries messages related to one request to the client: the request's SSE stream on HTTP,
// stdout on stdio.
class RequestChannel {
 public:
  virtual ~RequestChannel() = default;
  virtual asio::awaitable<void> send(json::object message) = 0;
  // SSE polling (2025-11-25): end the current HTTP connection; the client resumes the stream
  // with Last-Event-ID. No-op where the transport has no such connection.
  virtual void disconnect() {}
};

struct RequestContext {
  asio::any_io_executor executor;
  Revision revision = kNewestSessionRevision;
  json::value id;        // the JSON-RPC id
  std::string method;
  json::object params;   // the request's params (empty when absent)
  // Shared with the session (or made from the stateless request's _meta): binding copies no JSON.
  std::shared_ptr<json::object const> client_capabilities;
  std::optional<LogLevel> log_level;  // notifications/message at or above this level
  json::value progress_token;         // null when the client asked for no progress
  std::shared_ptr<Session> session;   // null on the stateless revision
  RequestChannel* channel = nullptr;  // null when nothing may be streamed (e.g. inside a batch)
  std::string client_id = "anonymous";
  std::string correlation_id;
  std::string_view endpoint = "stdio";  // "/mcp" or "stdio": a metrics label
  std::string upstream;                 // the gateway's upstream that served it (logs)
  // When the transport had the whole request (its time with the gateway counts from here); unset
  // where the transport does not say.
  std::chrono::steady_clock::time_point received{};

  bool stateless() const { return is_stateless(revision); }
  bool client_has_capability(std::string_view name) const {
    return client_capabilities && client_capabilities->contains(name);
  }

  // Related notifications; dropped silently when the request has no channel.
  asio::awaitable<void> notify(std::string_view method, json::object params);
  asio::awaitable<void> progress(double progress, std::optional<double> total, std::string_view message = {});
  asio::awaitable<void> log(LogLevel level, std::string_view logger, json::value data);

  // A server-to-client request on the session revisions; throws RpcError when the client has not
  // declared the capability, the transport cannot carry it, the client answers with an error, or
  // no answer comes within the timeout.
  asio::awaitable<json::object> ask_client(std::string_view method, json::object params,
                                           std::string_view required_capability,
                                           std::chrono::milliseconds timeout = std::chrono::seconds(60));
};

// The client capability a server-to-client request needs ("sampling" for sampling/createMessage,
// "elicitation", "roots"); empty for any other method.
std::string_view client_request_capability(std::string_view method);

}  // namespace prodmcp::protocol
