#!/usr/bin/env bash
# The bench command: the DynamoDB benchmark (issue 4), natively (nimbus serve's node on redb) and
# in headless Chromium (IndexedDB), one table each. Installs nothing: run scripts/test.sh or
# scripts/play.sh once first. Uses dist/ as built, or builds it when missing.
#   scripts/bench.sh [--seed N]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

cargo build --quiet --release -p nimbus-bench
if [ ! -f dist/index.html ]; then
  trunk build --release
fi

target/release/nimbus-bench run "$@"
echo
node tests/bench/browser.mjs "$@"
