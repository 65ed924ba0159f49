#!/usr/bin/env bash
# Stop the stack started by scripts/stack.sh and start it again on the same ports (the browser
# tests' E2E_RESTART_CMD). Returns once it is healthy again.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY="$ROOT/.venv/bin/python"
source scripts/stack.sh
stack_stop
sleep "${STACK_DOWN_SECONDS:-3}"
stack_start "${STACK_LOG:-$ROOT/artifacts/e2e-stack.log}"
