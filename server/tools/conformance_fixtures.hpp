#pragma once
// The tools, resources and prompts the official MCP conformance suite calls by name
// (enabled with --conformance-fixtures; never in production).
#include "protocol/catalog.hpp"
#include "protocol/request_state.hpp"

namespace prodmcp::tools {

void add_conformance_fixtures(protocol::Catalog& catalog, protocol::RequestStateCodec const& request_state);

}  // namespace prodmcp::tools
