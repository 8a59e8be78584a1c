#!/usr/bin/env bash
# Fills the build context of hello-trio's container: a static busybox and the static hello CGI
# handler, so the image builds FROM scratch with no registry.
#   usage: scripts/build-container-context.sh [CONTEXT]   (default: resources/worlds/hello-trio/container)
# Output: CONTEXT/rootfs/bin/busybox and CONTEXT/rootfs/www/cgi-bin/index.cgi (gitignored).
# Needs gcc + libc6-dev (for -static) and busybox-static.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ctx=${1:-$root/resources/worlds/hello-trio/container}
src=$root/resources/worlds/hello-trio/src/hello.c
busybox=${BUSYBOX:-/bin/busybox}
rootfs=$ctx/rootfs

die() { echo "build-container-context: error: $*" >&2; exit 1; }

[[ -f $ctx/Dockerfile ]] || die "no Dockerfile in $ctx"
[[ -x $busybox ]] || die "$busybox not found (apt-get install busybox-static)"
# A dynamic busybox would not run in a FROM scratch image.
if command -v file >/dev/null && ! file -L "$busybox" | grep -q 'statically linked'; then
  die "$busybox is not statically linked (apt-get install busybox-static)"
fi

mkdir -p "$rootfs/bin" "$rootfs/www/cgi-bin"
install -m 0755 "$busybox" "$rootfs/bin/busybox"
gcc -static -Os -s -o "$rootfs/www/cgi-bin/index.cgi" "$src" || die "gcc -static failed (apt-get install gcc libc6-dev)"
echo "build-container-context: $rootfs ($(du -sh "$rootfs" | cut -f1))"
