// The TOML config loader on an arbitrary file, with no environment: every diagnostic it makes and
// the effective values it reports.
#include "config/loader.hpp"
#include "fuzz_target.hpp"

PRODMCP_FUZZ_TARGET(config) {
  prodmcp::config::ConfigSources sources;
  sources.file = "fuzz.toml";
  sources.file_text = std::string(prodmcp::fuzz::as_text(data, size));
  sources.env = [](std::string const&) -> std::optional<std::string> { return std::nullopt; };
  auto const loaded = prodmcp::config::load_config(sources);
  for (auto const& diagnostic : loaded.diagnostics) (void)diagnostic.message.size();
  return 0;
}
