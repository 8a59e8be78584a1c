#!/usr/bin/env bash
# Builds the Wasm samples and test modules (and the native twin of the hello CGI handler).
# Needs Debian's clang-14, lld-14, wasi-libc, libclang-rt-14-dev-wasm32 and gcc.
# Each output is rebuilt only when a source is newer, so re-running is cheap; the JS
# component (jco componentize: 15-35 s, up to ~3 GB RAM) is skipped when it is up to date.
#   usage: scripts/build-wasm-samples.sh [hello|fixtures|edge-filter|polyglot]...  (default: all)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
node="$root/node_modules/.bin/node"
[ -x "$node" ] || node=node

# stale OUT SRC... : true when OUT is missing or older than any SRC
stale() {
  local out="$1"; shift
  [ -e "$out" ] || return 0
  for src in "$@"; do [ "$src" -nt "$out" ] && return 0; done
  return 1
}

wasm_c() { # OUT SRC [extra clang args...]
  local out="$1" src="$2"; shift 2
  if stale "$out" "$src"; then
    mkdir -p "$(dirname "$out")"
    clang-14 --target=wasm32-wasi --sysroot=/usr -Os -Wl,--strip-all "$@" -o "$out" "$src"
    echo "built $out ($(stat -c %s "$out") bytes)"
  fi
}

# Node with jco's preopens shim (componentize-preopens.mjs), for jco and component-from-core.mjs.
jco_node() {
  NODE_OPTIONS="--import $root/scripts/componentize-preopens.mjs" "$node" "$@"
}

componentize_js() { # OUT JS WIT WORLD
  echo "componentizing $1 (takes 15-35 s)"
  jco_node "$root/node_modules/@bytecodealliance/jco/dist/jco.js" componentize \
    "$2" --wit "$3" --world-name "$4" --disable fetch-event -o "$1"
  echo "built $1 ($(stat -c %s "$1") bytes)"
}

component_from_core() { # OUT CORE WIT WORLD
  jco_node "$root/scripts/component-from-core.mjs" "$2" "$3" "$4" "$1"
  echo "built $1 ($(stat -c %s "$1") bytes)"
}

# hello-trio: one CGI handler, as Wasm and native
build_hello() {
  hello=resources/worlds/hello-trio
  wasm_c "$hello/build/hello.wasm" "$hello/src/hello.c"
  if stale "$hello/build/hello-native" "$hello/src/hello.c"; then
    gcc -Os -o "$hello/build/hello-native" "$hello/src/hello.c"
    echo "built $hello/build/hello-native"
  fi
}

# test modules
build_fixtures() {
  fx=test/fixtures/wasm
  for name in trap loop hog reader escape bytes echo; do
    wasm_c "$fx/build/$name.wasm" "$fx/$name.c"
  done
  wasm_c "$fx/build/imports-env.wasm" "$fx/imports-env.c" -Wl,--allow-undefined
  if stale "$fx/build/not-wasm.wasm" "$0"; then
    printf 'this is a text file, not WebAssembly\n' > "$fx/build/not-wasm.wasm"
  fi
  if stale "$fx/build/truncated.wasm" "$fx/build/reader.wasm"; then
    head -c 200 "$fx/build/reader.wasm" > "$fx/build/truncated.wasm"
  fi
}

# edge-filter: a JS wasi:http/proxy component
build_edge_filter() {
  ef=resources/worlds/edge-filter
  out="$ef/build/edge-filter.wasm"
  if stale "$out" "$ef/filter/filter.js" "$ef/filter/wit/world.wit"; then
    wit="$ef/build/wit"
    rm -rf "$wit" && mkdir -p "$wit/deps"
    cp "$ef/filter/wit/world.wit" "$wit/"
    cp -r "$root"/node_modules/@bytecodealliance/jco/lib/wit/builtin/0.2.12/* "$wit/deps/"
    componentize_js "$out" "$ef/filter/filter.js" "$wit" filter
  else
    echo "up to date: $out"
  fi
}

# polyglot: a C and a Rust component (canonical ABI by hand, made components with jco's
# componentEmbed + componentNew) and a JS wasi:http/proxy component that imports both through
# wit/text.wit. Also needs Debian's rustc and libstd-rust-dev-wasm32.
build_polyglot() {
  pg=resources/worlds/polyglot
  pgwit="$pg/build/wit"
  if stale "$pgwit/text.wit" "$pg/wit/text.wit"; then
    rm -rf "$pgwit" && mkdir -p "$pgwit/deps"
    cp -r "$root"/node_modules/@bytecodealliance/jco/lib/wit/builtin/0.2.12/* "$pgwit/deps/"
    cp "$pg/wit/text.wit" "$pgwit/"
  fi
  wasm_c "$pg/build/shout.core.wasm" "$pg/shout/shout.c" -nostartfiles -Wl,--no-entry
  if stale "$pg/build/shout.wasm" "$pg/build/shout.core.wasm" "$pgwit/text.wit"; then
    component_from_core "$pg/build/shout.wasm" "$pg/build/shout.core.wasm" "$pgwit" shouter
  fi
  # Debian's rustc (not a rustup one earlier in PATH, which has no wasm targets)
  if stale "$pg/build/count.core.wasm" "$pg/count/count.rs"; then
    [ -x /usr/bin/rustc ] || { echo "build-wasm-samples: /usr/bin/rustc not found (apt-get install rustc libstd-rust-dev-wasm32)" >&2; exit 1; }
    /usr/bin/rustc --target wasm32-unknown-unknown --crate-type cdylib -O -C strip=symbols \
      -o "$pg/build/count.core.wasm" "$pg/count/count.rs"
    echo "built $pg/build/count.core.wasm ($(stat -c %s "$pg/build/count.core.wasm") bytes)"
  fi
  if stale "$pg/build/count.wasm" "$pg/build/count.core.wasm" "$pgwit/text.wit"; then
    component_from_core "$pg/build/count.wasm" "$pg/build/count.core.wasm" "$pgwit" counter
  fi
  out="$pg/build/front.wasm"
  if stale "$out" "$pg/front/front.js" "$pgwit/text.wit"; then
    componentize_js "$out" "$pg/front/front.js" "$pgwit" front
  else
    echo "up to date: $out"
  fi
}

for target in "${@:-hello fixtures edge-filter polyglot}"; do
  for t in $target; do
    case "$t" in
      hello) build_hello ;;
      fixtures) build_fixtures ;;
      edge-filter) build_edge_filter ;;
      polyglot) build_polyglot ;;
      *) echo "build-wasm-samples: unknown target $t" >&2; exit 2 ;;
    esac
  done
done
