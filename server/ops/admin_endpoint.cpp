#include "ops/admin_endpoint.hpp"

#include <boost/json/serialize.hpp>

#include "http/http_listener.hpp"

namespace prodmcp::ops {

namespace {

// Responses are built by functions, not braced temporaries in co_await (GCC 12 miscompiles those).
http::Response method_not_allowed() {
  auto response = http::json_response(405, R"({"error":"use GET"})");
  response.headers.emplace_back("Allow", "GET, HEAD");
  return response;
}

http::Response text_response(std::string body) {
  http::Response response;
  response.status = 200;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = std::move(body);
  return response;
}

}  // namespace

asio::awaitable<void> AdminEndpoint::serve(http::Exchange& exchange) {
  if (exchange.method() != "GET" && exchange.method() != "HEAD") co_return co_await exchange.respond(method_not_allowed());
  auto const path = exchange.path();
  if (path == "/metrics") co_return co_await exchange.respond(text_response(metrics_.serialize()));
  if (path == "/health") co_return co_await exchange.respond(http::json_response(200, boost::json::serialize(health_body())));
  auto report = co_await readiness_.evaluate();
  auto response = http::json_response(report.ready ? 200 : 503, boost::json::serialize(report.body));
  co_await exchange.respond(std::move(response));
}

}  // namespace prodmcp::ops
