#pragma once
// File descriptors: every connection holds one. The soft limit (often 1,024) is raised to the hard
// one at start, and the MCP port takes no more connections than fit below it, with descriptors
// kept in reserve for the admin port's probes, Redis, upstreams and logs: at the limit a client
// gets 503 instead of the process failing accept() over and over.
#include <cstddef>
#include <cstdint>

namespace prodmcp::runtime {

// Descriptors kept back from the MCP port: the admin port's 256 connections and what the process
// itself opens.
inline constexpr std::size_t kReservedDescriptors = 512;

struct DescriptorBudget {
  std::uint64_t limit = 0;           // the soft limit now in force
  std::uint64_t previous = 0;        // before it was raised
  std::size_t max_connections = 0;   // what the MCP port may hold
};

// Raises the soft RLIMIT_NOFILE to the hard limit, and fits `wanted` connections below it.
DescriptorBudget raise_descriptor_limit(std::size_t wanted);

}  // namespace prodmcp::runtime
