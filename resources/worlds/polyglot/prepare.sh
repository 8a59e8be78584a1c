#!/usr/bin/env bash
# Builds polyglot's two components; quick when they are up to date (the JS one takes
# 15-35 s with jco componentize the first time only).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bash "$here/../../../scripts/build-wasm-samples.sh" polyglot
