#!/usr/bin/env bash
# Builds the local container image better-i18n:local from the Containerfile.
#
#   scripts/container-image.sh [BINARY]
#
# Without BINARY it builds (or reuses) the release binary with
# `swift build -c release --product better-i18n`; CI passes the debug binary it already built.
# The build context gets rootfs/: the binary (symbols stripped), every shared library ldd
# names for it, CA certificates, time-zone data and bash for the health check — all from this
# Debian host. No base image is pulled (the Containerfile's BASE defaults to scratch).
#
# Environment: PODMAN (default `podman`; `docker` works too), IMAGE (default better-i18n:local),
# BASE (passed on as the Containerfile's BASE build argument).
set -euo pipefail
cd "$(dirname "$0")/.."

PODMAN=${PODMAN:-podman}
IMAGE=${IMAGE:-better-i18n:local}

binary=${1:-}
if [ -z "$binary" ]; then
  echo "== swift build -c release --product better-i18n"
  swift build -c release --product better-i18n
  binary="$(swift build -c release --show-bin-path)/better-i18n"
fi
[ -x "$binary" ] || { echo "container-image: $binary is not an executable" >&2; exit 1; }

context=$(mktemp -d /tmp/better-i18n-image.XXXXXX)
trap 'rm -rf "$context"' EXIT
root="$context/rootfs"
mkdir -p "$root/usr/bin" "$root/usr/lib" "$root/usr/lib64" "$root/usr/local/bin" "$root/etc/ssl/certs" \
  "$root/usr/share" "$root/tmp" "$context/data"
chmod 1777 "$root/tmp"
# Debian's merged /usr layout, so the paths ldd prints (/lib/…, /lib64/…) resolve.
ln -s usr/bin "$root/bin"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"

# Copies a file named by ldd to the same place under rootfs, following the symlinks of its
# directory (/lib → /usr/lib) and of the file itself (libz.so.1 → libz.so.1.2.13).
copy_library() {
  local source=$1 directory
  directory=$(realpath "$(dirname "$source")")
  mkdir -p "$root$directory"
  cp -L "$source" "$root$directory/$(basename "$source")"
}

libraries_of() {
  ldd "$1" | awk '/=> \// { print $3 } /^\t\// { print $1 }'
}

cp "$binary" "$root/usr/local/bin/better-i18n"
strip --strip-all "$root/usr/local/bin/better-i18n" 2>/dev/null || true
cp /bin/bash "$root/usr/bin/bash"
for library in $( (libraries_of "$binary"; libraries_of /bin/bash) | sort -u); do
  copy_library "$library"
done
# Foundation's ICU data is compiled into lib_FoundationICU.so (copied above); an older toolchain
# ships it as a separate icudt*.dat next to the Swift libraries, which goes along then.
swift_lib_dir=$(ldd "$binary" | awk '/libFoundation.so/ { print $3 }' | xargs -r dirname)
for data in ${swift_lib_dir:+$swift_lib_dir/icudt*.dat}; do
  [ -f "$data" ] && copy_library "$data"
done
cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
cp -a /usr/share/zoneinfo "$root/usr/share/zoneinfo"
printf 'root:x:0:0:root:/root:/bin/bash\nbetter-i18n:x:10001:10001:better-i18n:/data:/usr/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nbetter-i18n:x:10001:\n' > "$root/etc/group"
cp Containerfile "$context/Containerfile"

build_args=(-t "$IMAGE" -f "$context/Containerfile")
[ -n "${BASE:-}" ] && build_args+=(--build-arg "BASE=$BASE")
case "$(basename "${PODMAN%% *}")" in
  podman) build_args+=(--format docker) ;;  # Docker image format: OCI has no HEALTHCHECK
esac
# The default base is scratch: never reach for a registry. A named BASE may be pulled.
[ -z "${BASE:-}" ] && [ "$(basename "${PODMAN%% *}")" = podman ] && build_args+=(--pull=never)
echo "== $PODMAN build ${build_args[*]}"
$PODMAN build "${build_args[@]}" "$context"
$PODMAN image ls "$IMAGE"
