#!/usr/bin/env bash
# moto's DynamoDB and DynamoDB Streams tests (from moto's sdist on PyPI), in moto's server mode,
# first against moto's own server, then against `nimbus serve`; prints how many of the tests that
# pass against moto also pass against Nimbus, and which do not (issue 4 asks for at least 95%).
#
#   scripts/moto.sh                     both runs, then the comparison (about 3 minutes)
#   scripts/moto.sh --nimbus-only       reuse the last moto run, run only against Nimbus
#   scripts/moto.sh [--nimbus-only] -- PYTEST_ARGS
#                                       e.g. -- -n 2 (two workers, each with its own server),
#                                       -- -k ttl, -- tests/test_dynamodbstreams
#
# Everything goes to .cache/moto/ (sdist, venv, results). NIMBUS_BIN=path skips the cargo build.
# Not part of scripts/test.sh: it takes too long for every CI run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE=$ROOT/.cache/moto
REQUIREMENTS=$ROOT/tools/moto/requirements.txt
MOTO_VERSION=$(sed -n 's/^moto\[server\]==//p' "$REQUIREMENTS")
SRC=$CACHE/moto-$MOTO_VERSION
RESULTS=$CACHE/results
VENV=$CACHE/venv
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

nimbus_only=false
pytest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --nimbus-only) nimbus_only=true ;;
    --) shift; pytest_args=("$@"); break ;;
    *) echo "unknown argument: $1 (see the header of $0)" >&2; exit 2 ;;
  esac
  shift
done
[ ${#pytest_args[@]} -gt 0 ] || pytest_args=(tests/test_dynamodb tests/test_dynamodbstreams)

mkdir -p "$CACHE" "$RESULTS"
if [ ! -x "$VENV/bin/python" ] || ! cmp -s "$REQUIREMENTS" "$VENV/requirements.txt"; then
  step "venv $VENV (moto[server] $MOTO_VERSION, pytest)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  cp "$REQUIREMENTS" "$VENV/requirements.txt"
fi

if [ ! -d "$SRC/tests/test_dynamodb" ]; then
  step "moto $MOTO_VERSION tests from its sdist"
  if [ ! -f "$CACHE/moto-$MOTO_VERSION.tar.gz" ]; then
    "$VENV/bin/pip" download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
      -d "$CACHE" "moto==$MOTO_VERSION"
  fi
  # The two suites, the helpers they import (tests/__init__.py, tests/test_s3/__init__.py's
  # s3_aws_verified) and pyproject.toml (pytest's markers).
  tar -xzf "$CACHE/moto-$MOTO_VERSION.tar.gz" -C "$CACHE" \
    "moto-$MOTO_VERSION/pyproject.toml" "moto-$MOTO_VERSION/tests/__init__.py" \
    "moto-$MOTO_VERSION/tests/conftest.py" "moto-$MOTO_VERSION/tests/markers.py" \
    "moto-$MOTO_VERSION/tests/test_s3/__init__.py" \
    "moto-$MOTO_VERSION/tests/test_dynamodb" "moto-$MOTO_VERSION/tests/test_dynamodbstreams"
fi

if [ -z "${NIMBUS_BIN:-}" ]; then
  step "cargo build -p nimbus-server"
  cargo build --quiet -p nimbus-server
  NIMBUS_BIN=$ROOT/target/debug/nimbus
fi

# Runs the suites against the server started by MOTO_SUITE_SERVER_CMD ({port} is filled in).
run_suites() {
  local name=$1 command=$2
  rm -f "$RESULTS/$name.xml" "$RESULTS/$name-incidents.jsonl" "$RESULTS"/"$name"-server*.log
  step "moto's tests against $name"
  # Server mode as moto's own CI runs it; moto's tests expect the default account and region.
  (cd "$SRC" && env TEST_SERVER_MODE=true \
    AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1 \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    PYTHONPATH="$ROOT/tools/moto" \
    MOTO_SUITE_SERVER_CMD="$command" \
    MOTO_SUITE_SERVER_LOG="$RESULTS/$name-server-{worker}.log" \
    MOTO_SUITE_INCIDENTS="$RESULTS/$name-incidents.jsonl" \
    "$VENV/bin/python" -m pytest -p server_plugin -q --color=no -p no:cacheprovider \
      --timeout=120 --timeout-method=signal --junitxml="$RESULTS/$name.xml" \
      "${pytest_args[@]}" >"$RESULTS/$name.log" 2>&1) || true
  tail -n 1 "$RESULTS/$name.log"
  [ -f "$RESULTS/$name.xml" ] || { echo "no report from the $name run, see $RESULTS/$name.log" >&2; exit 1; }
}

if ! $nimbus_only; then
  run_suites moto "$VENV/bin/moto_server -H 127.0.0.1 -p {port}"
elif [ ! -f "$RESULTS/moto.xml" ]; then
  echo "--nimbus-only needs a previous moto run ($RESULTS/moto.xml)" >&2
  exit 1
fi
run_suites nimbus "$NIMBUS_BIN serve --port {port}"

step "comparison"
only_run=()
$nimbus_only && only_run=(--only-run)
"$VENV/bin/python" "$ROOT/tools/moto/compare.py" "$RESULTS/moto.xml" "$RESULTS/nimbus.xml" \
  --incidents "$RESULTS/nimbus-incidents.jsonl" --details "$RESULTS/regressions.txt" \
  --require 95 "${only_run[@]}"
