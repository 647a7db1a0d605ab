#!/usr/bin/env bash
# The .deb and .tar.gz packages: built by cpack from this build, their metadata and contents
# checked, the server package unpacked into a scratch root and the installed server run from there
# (check-config on the shipped example, serve, healthcheck, drain on SIGTERM).
#   packages.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: $0 BUILD_DIR}
source "$here/server-lib.sh"

(cd "$build" && cpack -G "DEB;TGZ" -B "$work/out") >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack failed"; }
server_deb=$(ls "$work"/out/prodmcp-server_*.deb 2>/dev/null) || fail "no prodmcp-server .deb"
console_deb=$(ls "$work"/out/prodmcp-console_*.deb 2>/dev/null) || fail "no prodmcp-console .deb"
server_tgz=$(ls "$work"/out/prodmcp-server-*.tar.gz 2>/dev/null) || fail "no prodmcp-server .tar.gz"
console_tgz=$(ls "$work"/out/prodmcp-console-*.tar.gz 2>/dev/null) || fail "no prodmcp-console .tar.gz"

has_files() {  # LISTING FILE...: every FILE is in the listing
  local listing=$1
  shift
  for file in "$@"; do grep -q -- "$file\$" <<<"$listing" || fail "$file is not in the package"; done
}

# Metadata: names, and dependencies taken from the libraries the binaries link.
[[ $(dpkg-deb -f "$server_deb" Package) == prodmcp-server ]] || fail "server package name"
server_depends=$(dpkg-deb -f "$server_deb" Depends)
for library in libhiredis libboost-json libprometheus-cpp-core libssl3; do
  [[ $server_depends == *"$library"* ]] || fail "prodmcp-server does not depend on $library: $server_depends"
done
console_depends=$(dpkg-deb -f "$console_deb" Depends)
[[ $console_depends == *libqt6charts6* && $console_depends == *prodmcp-server* ]] ||
  fail "prodmcp-console must depend on Qt Charts and prodmcp-server: $console_depends"

has_files "$(dpkg-deb --contents "$server_deb")" ./usr/bin/prodmcp-server \
  ./usr/lib/systemd/system/prodmcp-server.service ./usr/share/doc/prodmcp-server/prodmcp.example.toml \
  ./usr/share/prodmcp/prometheus/prodmcp-alerts.yml
has_files "$(dpkg-deb --contents "$console_deb")" ./usr/bin/prodmcp-console \
  ./usr/share/applications/prodmcp-console.desktop ./usr/share/icons/hicolor/scalable/apps/prodmcp.svg
has_files "$(tar -tzf "$server_tgz")" usr/bin/prodmcp-server usr/lib/systemd/system/prodmcp-server.service
has_files "$(tar -tzf "$console_tgz")" usr/bin/prodmcp-console usr/share/applications/prodmcp-console.desktop
grep -q '^Exec=prodmcp-console$' <(dpkg-deb --fsys-tarfile "$console_deb" | tar -xO ./usr/share/applications/prodmcp-console.desktop) ||
  fail "the .desktop file does not start prodmcp-console"

# The installed server, run from a scratch root.
root="$work/root"
dpkg-deb -x "$server_deb" "$root"
installed="$root/usr/bin/prodmcp-server"
[[ $("$installed" version) == "prodmcp-server "* ]] || fail "the installed server does not run"
"$installed" check-config "$root/usr/share/doc/prodmcp-server/prodmcp.example.toml" >/dev/null ||
  fail "the shipped example config does not pass check-config"
start_server -- "$installed"
"$installed" healthcheck "http://127.0.0.1:$admin_port" >/dev/null || fail "the installed server is not ready"
exercise_server
stop_server || fail "the installed server exited with status $? after SIGTERM"

for package in "$server_deb" "$console_deb" "$server_tgz" "$console_tgz"; do
  echo "$(basename "$package"): $(( $(stat -c %s "$package") / 1024 )) KiB"
done
echo "packages: ok"
