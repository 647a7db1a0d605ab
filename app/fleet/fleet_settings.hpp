#pragma once
// The servers an operator added to the fleet, kept between runs (the supervised one is not saved:
// it is made anew at every start).
#include <QSettings>

#include "fleet/fleet_monitor.hpp"

namespace prodmcp::console {

void save_fleet(FleetMonitor const& fleet, QSettings& settings);
// Adds the saved servers; returns how many.
int load_fleet(FleetMonitor& fleet, QSettings& settings);

}  // namespace prodmcp::console
