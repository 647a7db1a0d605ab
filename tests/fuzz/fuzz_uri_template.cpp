// Resource templates: the first line is the template, the rest the URI matched against it.
#include "fuzz_target.hpp"
#include "protocol/uri_template.hpp"

PRODMCP_FUZZ_TARGET(uri_template) {
  auto const text = prodmcp::fuzz::as_text(data, size);
  auto const newline = text.find('\n');
  auto const pattern = text.substr(0, newline);
  auto const uri = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
  prodmcp::protocol::UriTemplate const uri_template(pattern);
  if (auto const values = uri_template.match(uri))
    for (auto const& [name, value] : *values) (void)name, (void)value;
  return 0;
}
