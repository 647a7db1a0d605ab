#!/usr/bin/env bash
# Renders every page of the console with live data (a real server under demo load) into docs/.
#   tests/gui/take-screenshots.sh BUILD_DIR [EXTRA_SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: $0 BUILD_DIR [EXTRA_SECONDS]}
export PRODMCP_SCREENSHOT_DIR="$root/docs" PRODMCP_SCREENSHOT_SECONDS=${2:-0}
xvfb-run -a -s "-screen 0 1280x800x24" "$build/bin/prodmcp_gui_tests" screenshotsOfEveryPage screenshotOfConnectAClient
xvfb-run -a -s "-screen 0 1280x800x24" "$build/bin/prodmcp_config_page_tests" screenshotOfTheConfigPage
xvfb-run -a -s "-screen 0 1280x800x24" "$build/bin/prodmcp_walkthrough_tests" screenshotOfTheWalkthrough \
  screenshotOfTheWalkthroughWithYourServer
xvfb-run -a -s "-screen 0 1280x800x24" "$build/bin/prodmcp_gateway_pages_tests" screenshotOfTheUpstreamsPage \
  screenshotOfTheAddServerDialog screenshotOfTheTracePage
xvfb-run -a -s "-screen 0 1280x800x24" "$build/bin/prodmcp_before_after_tests" screenshotOfTheComparison
# The console in front of a stdio server of one's own (the fixtures server stands in for it).
xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
  "$1/bin/prodmcp-console" --server-binary "$1/bin/prodmcp-server" --page Health -- \
    "$1/bin/prodmcp-server" --stdio --conformance-fixtures &
  console=$!
  sleep 8
  import -window root "$2/console-your-server.png"
  kill "$console"
  wait "$console" || true' _ "$build" "$PRODMCP_SCREENSHOT_DIR"
