#!/usr/bin/env bash
# The browser suite's E2E_REDIS_RESTART_CMD: restart the suite's own redis-server (scripts/stack.sh
# redis_private_start) on the same port, its data gone, after REDIS_DOWN_SECONDS (default 3) down.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY="$ROOT/.venv/bin/python"
source scripts/stack.sh
redis_private_stop
sleep "${REDIS_DOWN_SECONDS:-3}"
redis_private_start
echo "redis restarted on port $REDIS_PRIVATE_PORT"
