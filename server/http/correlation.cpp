#include "http/correlation.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>

#include "util/random.hpp"

namespace prodmcp::http {

namespace json = boost::json;

namespace {

bool acceptable_id(std::string_view id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':';
  });
}

// traceparent: version "-" trace-id (32 hex, not all zero) "-" parent-id (16 hex) "-" flags.
std::string_view trace_id_of(std::string_view traceparent) {
  if (traceparent.size() < 55 || traceparent[2] != '-' || traceparent[35] != '-') return {};
  auto const trace = traceparent.substr(3, 32);
  bool const hex = std::all_of(trace.begin(), trace.end(), [](unsigned char c) {
    return std::isdigit(c) || (c >= 'a' && c <= 'f');
  });
  if (!hex || trace.find_first_not_of('0') == std::string_view::npos) return {};
  return trace;
}

}  // namespace

std::string correlation_id_for(Exchange const& exchange) {
  for (auto const name : {"X-Correlation-ID", "X-Request-ID"})
    if (auto const id = exchange.header(name); acceptable_id(id)) return std::string(id);
  if (auto const trace = trace_id_of(exchange.header("traceparent")); !trace.empty()) return std::string(trace);
  return util::unique_id();
}

std::string with_correlation_data(std::string body, std::string_view correlation_id) {
  boost::system::error_code ec;
  auto message = json::parse(body, ec);
  if (ec || !message.is_object()) return body;
  auto* error = message.get_object().if_contains("error");
  if (!error || !error->is_object()) return body;
  auto& data = error->get_object()["data"];
  if (data.is_null()) data = json::object{};
  if (!data.is_object()) return body;  // a scalar the handler chose; leave it as it is
  data.get_object()["correlation_id"] = correlation_id;
  return json::serialize(message);
}

}  // namespace prodmcp::http
