#pragma once
// JSON-RPC 2.0 envelopes: classifying what arrived and building what goes back.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace prodmcp::protocol {

namespace json = boost::json;

namespace error_code {
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kResourceNotFound = -32002;        // up to 2025-11-25
inline constexpr int kRequestCancelled = -32800;        // implementation-defined range use by SDKs
inline constexpr int kHeaderMismatch = -32020;          // 2026-07-28
inline constexpr int kMissingClientCapability = -32021; // 2026-07-28
inline constexpr int kUnsupportedProtocolVersion = -32022;
inline constexpr int kRateLimited = -32010;             // implementation-defined
inline constexpr int kUnauthorized = -32011;            // implementation-defined
inline constexpr int kRequestTooLarge = -32012;         // implementation-defined
inline constexpr int kServerShuttingDown = -32013;      // implementation-defined
inline constexpr int kTooManyInFlight = -32014;         // implementation-defined
}  // namespace error_code

// A JSON-RPC error raised by a handler; the dispatcher turns it into an error response.
struct RpcError {
  int code;
  std::string message;
  json::value data = nullptr;
};

enum class MessageKind { kRequest, kNotification, kResponse, kInvalid };

struct Classification {
  MessageKind kind;
  std::string_view problem;  // set when kind == kInvalid, says what to fix
};

// Checks the envelope only (jsonrpc, id, method, params, result/error shapes).
Classification classify(json::value const& message);

// The id of a message when it has a usable one, else null (for error responses).
json::value id_of(json::value const& message);

json::object make_result(json::value id, json::object result);
json::object make_error(json::value id, int code, std::string_view message, json::value data = nullptr);
json::object make_error(json::value id, RpcError const& error);
json::object make_notification(std::string_view method, json::object params);

}  // namespace prodmcp::protocol
