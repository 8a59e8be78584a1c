# Shared by scripts/build-vm-image.sh and the kernel scripts beside this file (sourced, not run).
say() { echo "build-vm-image: $*"; }
die() { echo "build-vm-image: error: $*" >&2; exit 1; }
# need TOOL PACKAGE: stops, naming the Debian package, when TOOL is not on PATH.
need() { command -v "$1" >/dev/null || die "$1 not found: apt-get install $2"; }
