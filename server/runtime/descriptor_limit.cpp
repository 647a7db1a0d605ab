#include "runtime/descriptor_limit.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace prodmcp::runtime {

DescriptorBudget raise_descriptor_limit(std::size_t wanted) {
  DescriptorBudget budget;
  budget.max_connections = wanted;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return budget;
  budget.previous = limit.rlim_cur;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  budget.limit = limit.rlim_cur;
  if (limit.rlim_cur == RLIM_INFINITY) return budget;
  // A tiny limit still leaves the MCP port half of it.
  auto const fit = limit.rlim_cur > 2 * kReservedDescriptors ? limit.rlim_cur - kReservedDescriptors : limit.rlim_cur / 2;
  budget.max_connections = static_cast<std::size_t>(std::min<std::uint64_t>(wanted, fit));
  return budget;
}

}  // namespace prodmcp::runtime
