#!/usr/bin/env bash
# Installs whatever the playground and its tests need and is not there yet. Safe to run again:
# every step checks first and skips what is already installed.
#   scripts/setup.sh          what `scripts/play.sh` needs (Rust wasm target, Trunk, wasm-bindgen, npm)
#   scripts/setup.sh --test   also Chromium + chromedriver and the Python test clients
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=false
[ "${1:-}" = "--test" ] && want_test=true

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
export PATH="$HOME/.cargo/bin:$PATH"

# The toolchain and the wasm target named in rust-toolchain.toml.
if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
  step "installing the Rust toolchain of rust-toolchain.toml with the wasm32 target"
  rustup toolchain install
fi

# Trunk 0.22 needs a newer rustc than 1.95; 0.21.14 is the verified one.
if ! trunk --version 2>/dev/null | grep -q '0.21.14'; then
  step "installing Trunk 0.21.14 (about 10 minutes on 2 cores, once)"
  cargo install --locked trunk --version 0.21.14
fi

# The wasm-bindgen CLI must equal the wasm-bindgen crate in Cargo.lock (without --locked: see
# ../shared/toolchain.md).
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q "$bindgen_version"; then
  step "installing wasm-bindgen-cli $bindgen_version (about 4 minutes, once)"
  cargo install wasm-bindgen-cli --version "$bindgen_version"
fi

# npm packages: the AWS SDK bundle, esbuild, wasm-opt (binaryen 132) and playwright-core.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "installing npm packages"
  npm ci --no-audit --no-fund
fi

if $want_test; then
  if ! have chromium || ! have chromedriver; then
    step "installing Chromium and chromedriver from Debian"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
  fi
  if [ ! -x .venv/bin/python ] || ! cmp -s tests/requirements.txt .venv/requirements.txt; then
    step "installing the Python test clients (boto3, aws-cli, pytest)"
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check -r tests/requirements.txt
    cp tests/requirements.txt .venv/requirements.txt
  fi
fi
