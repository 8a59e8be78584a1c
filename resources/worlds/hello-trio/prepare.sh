#!/usr/bin/env bash
# Builds what one hello-trio workload runs from; quick when it is already up to date.
# Worldbench sets WORLDBENCH_KIND for the workload it prepares.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
scripts=$here/../../../scripts
case "${WORLDBENCH_KIND:-all}" in
  wasm) bash "$scripts/build-wasm-samples.sh" hello ;;
  container) bash "$scripts/build-container-context.sh" "$here/container" ;;
  vm) bash "$scripts/build-vm-image.sh" "$here/build/vm" ;;
  all)
    bash "$scripts/build-wasm-samples.sh" hello
    bash "$scripts/build-container-context.sh" "$here/container"
    bash "$scripts/build-vm-image.sh" "$here/build/vm"
    ;;
esac
