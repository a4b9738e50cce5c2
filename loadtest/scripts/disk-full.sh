#!/usr/bin/env bash
# The full-disk recipe of issue 13, for anyone with root: builds the jars if needed, then runs
# `switchboard-loadtest disk-full`, which puts the server's data directory on a 4 MB tmpfs (with a 1 MB ballast)
# in a private mount namespace (unshare -m), fills it through the WebSocket protocol until the store cannot commit,
# checks what a full disk must still answer and refuse, frees the ballast, and checks that the server recovers by
# itself and lost nothing it acknowledged (also after kill -9 and a restart). Loopback only; it cleans up after itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" -ne 0 ]; then
  echo "disk-full.sh: run as root (unshare -m and mount -t tmpfs need it)" >&2
  exit 2
fi
command -v unshare >/dev/null && command -v nsenter >/dev/null || { echo "disk-full.sh: needs unshare and nsenter (util-linux)" >&2; exit 2; }
[ -f loadtest/target/switchboard-loadtest.jar ] || mvn -B -q package -DskipTests
exec java -jar loadtest/target/switchboard-loadtest.jar disk-full
