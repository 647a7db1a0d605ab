#include "fleet/fleet_settings.hpp"

namespace prodmcp::console {

void save_fleet(FleetMonitor const& fleet, QSettings& settings) {
  settings.beginWriteArray("fleet");
  int index = 0;
  for (auto const& member : fleet.members()) {
    if (member.target.supervised) continue;
    settings.setArrayIndex(index++);
    settings.setValue("name", member.target.name);
    settings.setValue("environment", member.target.environment);
    settings.setValue("admin_url", member.target.admin_url.toString());
    settings.setValue("mcp_url", member.target.mcp_url.toString());
  }
  settings.endArray();
}

int load_fleet(FleetMonitor& fleet, QSettings& settings) {
  int const count = settings.beginReadArray("fleet");
  int loaded = 0;
  for (int index = 0; index < count; ++index) {
    settings.setArrayIndex(index);
    FleetTarget target{settings.value("name").toString(), settings.value("environment").toString(),
                       QUrl(settings.value("admin_url").toString()), QUrl(settings.value("mcp_url").toString()), false};
    if (target.name.isEmpty() || !target.admin_url.isValid()) continue;  // a damaged entry is skipped
    fleet.add(std::move(target));
    ++loaded;
  }
  settings.endArray();
  return loaded;
}

}  // namespace prodmcp::console
