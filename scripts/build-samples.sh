#!/usr/bin/env bash
# Builds every sample artifact ahead of time (Worldbench also builds each one on first launch
# through the world's prepare script): Wasm modules and components, the container build
# context, the VM image. Each step is skipped when its output is up to date.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/build-wasm-samples.sh"
bash "$root/scripts/build-container-context.sh"
bash "$root/scripts/build-vm-image.sh"
