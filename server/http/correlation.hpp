#pragma once
// Correlation ids tie a request's log lines, response and errors together: taken from
// X-Correlation-ID or X-Request-ID, else the W3C traceparent trace id, else generated.
#include <string>
#include <string_view>

#include "http/http_exchange.hpp"

namespace prodmcp::http {

inline constexpr std::string_view kCorrelationHeader = "X-Correlation-ID";

// The id for this request. Client-chosen ids are accepted only when short and printable
// (letters, digits, '-', '_', '.', ':'), so they are safe in logs and headers.
std::string correlation_id_for(Exchange const& exchange);

// A JSON-RPC error body with data.correlation_id added (data made an object when it is absent);
// other bodies come back unchanged.
std::string with_correlation_data(std::string body, std::string_view correlation_id);

}  // namespace prodmcp::http
