#!/usr/bin/env bash
# The second command: set up what is missing, then run every test: native, headless wasm in
# Chromium, boto3 and the AWS CLI against `nimbus serve`, and end to end in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "generated shapes are fresh"
python3 tools/codegen/generate.py --check

step "native tests (cargo test)"
cargo test --quiet
cargo test --quiet -p nimbus-web  # the app's pure logic (config limits, log parsing)

step "rendered responses parse with botocore's own parsers"
NIMBUS_RESPONSE_DUMP="$PWD/target/botocore-responses.json" cargo test --quiet -p nimbus-protocol --test render_dump
.venv/bin/python crates/protocol/tests/fixtures/botocore_responses.py target/botocore-responses.json

step "wasm tests in headless Chromium"
cargo test --target wasm32-unknown-unknown -p nimbus-storage-idb -p nimbus-browser

step "boto3 and the AWS CLI against nimbus serve"
cargo build --quiet -p nimbus-server
NIMBUS_BIN="$PWD/target/debug/nimbus" .venv/bin/python -m pytest -q tests/conformance

step "end to end in headless Chromium"
trunk build --release
node --test tests/e2e/
