#include "ops/healthcheck_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/url/parse.hpp>

namespace prodmcp::ops {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

HealthcheckResult run_healthcheck(std::string const& admin_url, std::chrono::milliseconds timeout) {
  auto const url = boost::urls::parse_uri(admin_url);
  if (!url || url->scheme() != "http" || url->host().empty())
    return {2, "not an http:// URL: " + admin_url + " (e.g. http://127.0.0.1:9090)"};
  std::string const host = url->host_address();
  std::string const port = url->has_port() ? std::string(url->port()) : "80";
  std::string const request = "GET /ready HTTP/1.0\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";

  asio::io_context io;
  tcp::socket socket(io);
  tcp::resolver resolver(io);
  std::string response;
  boost::system::error_code failure;
  resolver.async_resolve(host, port, [&](boost::system::error_code ec, tcp::resolver::results_type endpoints) {
    if (ec) return void(failure = ec);
    asio::async_connect(socket, endpoints, [&](boost::system::error_code ec, tcp::endpoint const&) {
      if (ec) return void(failure = ec);
      asio::async_write(socket, asio::buffer(request), [&](boost::system::error_code ec, std::size_t) {
        if (ec) return void(failure = ec);
        asio::async_read(socket, asio::dynamic_buffer(response), [&](boost::system::error_code ec, std::size_t) {
          if (ec && ec != asio::error::eof) failure = ec;
        });
      });
    });
  });
  io.run_for(timeout);
  if (!io.stopped()) return {1, "no answer from " + admin_url + " within " + std::to_string(timeout.count()) + " ms"};
  if (failure) return {1, admin_url + "/ready: " + failure.message()};
  auto const space = response.find(' ');
  int const status = space == std::string::npos ? 0 : std::atoi(response.c_str() + space + 1);
  auto const body_start = response.find("\r\n\r\n");
  auto const body = body_start == std::string::npos ? std::string() : response.substr(body_start + 4);
  if (status == 200) return {0, "ready: " + body};
  return {1, "not ready (HTTP " + std::to_string(status) + "): " + body};
}

}  // namespace prodmcp::ops
