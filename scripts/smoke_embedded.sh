#!/usr/bin/env bash
# Smoke test of the embedded path: `scripts/run.sh` with neither DATABASE_URL nor REDIS_URL,
# on a fresh data folder, must become healthy and stop cleanly, leaving no server behind.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY="$ROOT/.venv/bin/python"
source scripts/stack.sh
unset DATABASE_URL REDIS_URL CELERY_BROKER_URL STACK_WEB_PORT STACK_FLOWER_PORT STACK_SANDBOX_PORT
export EMBEDDED_DATA_DIR="$(mktemp -d /tmp/scanner-smoke.XXXXXX)"
trap 'stack_stop; rm -rf "$EMBEDDED_DATA_DIR"' EXIT
mkdir -p artifacts
started=$(date +%s%N)
stack_start artifacts/smoke-embedded.log
echo "embedded stack healthy after $(( ($(date +%s%N) - started) / 1000000 )) ms"
grep -q "password:" artifacts/smoke-embedded.log || { echo "no demo admin password was printed" >&2; exit 1; }
stack_stop
if pgrep -f "$EMBEDDED_DATA_DIR" >/dev/null; then
  echo "embedded services still running after the stack stopped:" >&2; pgrep -af "$EMBEDDED_DATA_DIR" >&2; exit 1
fi
echo "embedded smoke test passed"
