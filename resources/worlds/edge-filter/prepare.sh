#!/usr/bin/env bash
# Builds what one edge-filter workload runs from; quick when it is already up to date.
# Worldbench sets WORLDBENCH_KIND for the workload it prepares.
#   wasm:      the filter component (jco componentize, 15-35 s the first time only)
#   container: the backend's build context in build/backend (Dockerfile, www/, a static busybox)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
scripts=$here/../../../scripts
busybox=${BUSYBOX:-/bin/busybox}

backend_context() {
  local ctx=$here/build/backend
  [ -x "$busybox" ] || { echo "prepare: $busybox not found (apt-get install busybox-static)" >&2; exit 1; }
  # A dynamic busybox would not run in a FROM scratch image.
  if command -v file >/dev/null && ! file -L "$busybox" | grep -q 'statically linked'; then
    echo "prepare: $busybox is not statically linked (apt-get install busybox-static)" >&2
    exit 1
  fi
  mkdir -p "$ctx"
  cp "$here/backend/Dockerfile" "$ctx/Dockerfile"
  rm -rf "$ctx/www" && cp -r "$here/backend/www" "$ctx/www"
  [ "$ctx/busybox" -nt "$busybox" ] || install -m 0755 "$busybox" "$ctx/busybox"
  echo "prepare: backend context ready in $ctx"
}

case "${WORLDBENCH_KIND:-all}" in
  wasm) bash "$scripts/build-wasm-samples.sh" edge-filter ;;
  container) backend_context ;;
  all)
    bash "$scripts/build-wasm-samples.sh" edge-filter
    backend_context
    ;;
esac
