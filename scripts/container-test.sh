#!/usr/bin/env bash
# Container test (called by .ci/run after the interop suite): builds the image from an existing
# binary and walks it with podman — see scripts/container_test.py for what is checked.
#
#   scripts/container-test.sh [BINARY]        (default .build/debug/better-i18n)
#
# Environment: PYTHON (a Python with requests, default python3), BETTER_I18N_TEST_POSTGRES_URL
# (enables the two-container PostgreSQL part), CONTAINERS_CONF (default: a file written here).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-.build/debug/better-i18n}

if ! command -v podman >/dev/null || ! [ -x /usr/sbin/runc ]; then
  echo "== installing podman and runc from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq podman runc >/dev/null
fi

work=$(mktemp -d /tmp/better-i18n-container-test.XXXXXX)
# Hosts like this one need runc (crun refuses the hybrid cgroup layout) and these two settings.
if [ -z "${CONTAINERS_CONF:-}" ]; then
  printf '[containers]\ndefault_ulimits = []\n\n[engine]\ncgroup_manager = "cgroupfs"\n' > "$work/containers.conf"
  export CONTAINERS_CONF="$work/containers.conf"
fi
export PODMAN="podman --runtime /usr/sbin/runc"
# A tag of its own, so a parallel build of better-i18n:local on the same host cannot swap images.
export IMAGE="localhost/better-i18n:ci-$$"
trap '$PODMAN rmi -f "$IMAGE" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

started=$(date +%s)
scripts/container-image.sh "$binary"
echo "== image built in $(( $(date +%s) - started )) s"
"${PYTHON:-python3}" scripts/container_test.py
