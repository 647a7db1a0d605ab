#!/usr/bin/env bash
# Builds the prodmcp-server image with podman from installers/docker/Dockerfile, runs it, and waits
# until its HEALTHCHECK reports healthy; prints the image size. No image registry is needed: the
# Debian 12 base images (debian:12, debian:12-slim) are made here with debootstrap from the apt
# mirror this machine uses. Run as root; safe to re-run (the base images are kept).
#   installers/docker/build-image.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${PRODMCP_IMAGE_WORK:-/var/tmp/prodmcp-image}
image=prodmcp-server:0.1.0
container=prodmcp-image-check
mkdir -p "$work"

for tool in podman debootstrap runc; do
  command -v "$tool" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends podman debootstrap runc uidmap
done

# podman as root without systemd: runc, cgroupfs, vfs storage, a file events log, host networking,
# and ulimits set low enough for a sandbox.
cat >"$work/containers.conf" <<'CONF'
[containers]
netns = "host"
default_ulimits = ["nofile=4096:4096", "nproc=2048:2048"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
CONF
cat >"$work/storage.conf" <<'CONF'
[storage]
driver = "vfs"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"
CONF
export CONTAINERS_CONF="$work/containers.conf" CONTAINERS_STORAGE_CONF="$work/storage.conf"

# The apt mirror of this machine (its sources), for debootstrap and for apt inside the images.
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
[[ -n $mirror ]] || mirror=$(awk '$1 == "deb" && $3 ~ /^bookworm$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[[ -n $mirror ]] || { echo "build-image: no Debian mirror found in the apt sources" >&2; exit 1; }

make_base() {  # NAME EXTRA: import a debootstrapped Debian 12 as NAME (EXTRA=slim drops docs and locales)
  local name=$1 flavour=$2 rootfs="$work/rootfs-$2"
  podman image exists "$name" && return 0
  if [[ ! -x $rootfs/bin/sh ]]; then
    rm -rf "$rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap-$flavour.log" 2>&1 ||
      { tail -20 "$work/debootstrap-$flavour.log" >&2; exit 1; }
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb
    if [[ $flavour == slim ]]; then
      rm -rf "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/*
    fi
  fi
  tar -C "$rootfs" -c . | podman import - "$name" >/dev/null
}
make_base docker.io/library/debian:12 full
make_base docker.io/library/debian:12-slim slim

started=$(date +%s)
podman build --format docker --pull=never --network host -f "$root/installers/docker/Dockerfile" -t "$image" "$root" >"$work/build.log" 2>&1 ||
  { tail -40 "$work/build.log" >&2; exit 1; }
echo "built $image in $(( $(date +%s) - started )) s"
size=$(podman image inspect --format '{{.Size}}' "$image")
echo "image size: $(( size / 1024 / 1024 )) MiB"

# podman complains on stderr that it cannot ask systemd to time the healthchecks: kept in podman.log.
# Run it as production would (auth required), on free loopback ports of the host network.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
mcp_port=$(free_port)
admin_port=$(free_port)
token=image-check-$RANDOM$RANDOM
hash=$(printf %s "$token" | sha256sum | cut -d' ' -f1)
podman rm -f "$container" >/dev/null 2>&1 || true
trap 'podman rm -f "$container" >/dev/null 2>&1 || true' EXIT
podman run -d --name "$container" --read-only --tmpfs /tmp --cap-drop ALL \
  -e PRODMCP_SERVER_LISTEN="127.0.0.1:$mcp_port" -e PRODMCP_SERVER_ADMIN_LISTEN="127.0.0.1:$admin_port" \
  -e PRODMCP_AUTH_CLIENTS="image-check=sha256:$hash" -e REDIS_URL= "$image" >/dev/null 2>>"$work/podman.log"

# (--format docker: the OCI format has no HEALTHCHECK.) Without systemd nothing runs the HEALTHCHECK on its interval: run it the way the engine would.
status=starting
for _ in $(seq 30); do
  if podman healthcheck run "$container" >/dev/null 2>&1; then status=healthy; break; fi
  sleep 1
done
[[ $status == healthy ]] || { podman logs "$container" >&2; echo "build-image: the container did not turn healthy" >&2; exit 1; }
echo "health: $(podman inspect --format '{{.State.Health.Status}}' "$container")"
[[ $(podman exec "$container" id -u) == 1000 ]] || { echo "build-image: the server does not run as uid 1000" >&2; exit 1; }
echo "runs as uid $(podman exec "$container" id -u)"

mcp() {  # AUTH_HEADER...: the HTTP status of an initialize
  curl -s -o /dev/null -w '%{http_code}' -m 5 "http://127.0.0.1:$mcp_port/mcp" "$@" -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' \
    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"image-check","version":"1"}}}'
}
[[ $(mcp) == 401 ]] || { echo "build-image: an unauthenticated call was not refused" >&2; exit 1; }
[[ $(mcp -H "Authorization: Bearer $token") == 200 ]] || { echo "build-image: the token was not accepted" >&2; exit 1; }
echo "auth: 401 without a token, 200 with it"

podman stop -t 40 "$container" >/dev/null 2>>"$work/podman.log"
echo "exit code after SIGTERM: $(podman inspect --format '{{.State.ExitCode}}' "$container")"
