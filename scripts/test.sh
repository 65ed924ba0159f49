#!/usr/bin/env bash
# Every test suite (what `make test` runs after installing): backend, client, browser.
# `scripts/test.sh backend|client|browser` runs one. Uses DATABASE_URL/REDIS_URL when set,
# embedded PostgreSQL/Redis otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY="$ROOT/.venv/bin/python"
SUITES=("$@")
[[ ${#SUITES[@]} -gt 0 ]] || SUITES=(backend client browser)
source scripts/stack.sh
# Tests run with debug on (it is off by default): pytest, and the stack the browser suite starts.
export DJANGO_DEBUG=true

eval "$(cd backend && "$PY" -m common.embedded up)"
cleanup() {
  stack_stop
  oidc_provider_stop
  redis_private_stop
  if [[ -n "${EMBEDDED_SERVICES:-}" ]]; then (cd backend && "$PY" -m common.embedded down) || true; fi
}
trap cleanup EXIT

for suite in "${SUITES[@]}"; do
  case "$suite" in
    backend)
      echo "== backend: pytest on real PostgreSQL and Redis"
      "$PY" -m pytest
      ;;
    client)
      echo "== client: lint, types, vitest"
      (cd client && npm run --silent lint && npm run --silent typecheck && npm test --silent)
      ;;
    browser)
      echo "== browser: Playwright in headless Chromium against the full stack"
      # Every browser of the suite comes from 127.0.0.1: one person's per-IP market limits would
      # throttle the suite, not test anything (the limits have tests of their own). Browser suite
      # only: pytest keeps the defaults (a per-route 429 test spends each configured limit).
      export MARKET_API_RATE_ANON="${MARKET_API_RATE_ANON:-6000/min}" MARKET_SOCKETS_PER_IP="${MARKET_SOCKETS_PER_IP:-500}"
      # A fresh database and Redis index for the stack, so earlier runs leave no trace.
      export DATABASE_URL="$(cd backend && "$PY" -m common.dbtools fresh-database "$DATABASE_URL" --suffix _e2e)"
      # A Redis of the suite's own on a free port, empty at start: a spec restarts it under the open
      # dashboard (E2E_REDIS_RESTART_CMD), which must not touch any other Redis.
      mkdir -p artifacts
      redis_private_start
      export E2E_REDIS_RESTART_CMD="$ROOT/scripts/redis_restart.sh"
      # Two of the shipped recorded pairs as history, for the backtest spec (the stack's own migrate is
      # then a no-op). Only two quiet ones, outside the 20 the strategies spec runs on: the sandbox
      # replays the same days, so their stored history lies ahead of its clock, and the live paths
      # take nothing from the stream for candles the store already holds.
      (cd backend && "$PY" manage.py migrate --no-input -v0 \
        && for symbol in CHZUSDT XVGUSDT; do
             "$PY" manage.py import_klines sandbox/data/klines_usdm_5m.npz --symbol "$symbol" -v0 >/dev/null
           done)
      mkdir -p artifacts
      export STACK_LOG="$ROOT/artifacts/e2e-stack.log"
      : >"$STACK_LOG"
      # The stack's port is chosen first: it is in the redirect URI the local OIDC provider allows.
      export STACK_WEB_PORT="${STACK_WEB_PORT:-$(free_port)}"
      oidc_provider_start "http://127.0.0.1:$STACK_WEB_PORT/api/auth/oidc/callback/" "$ROOT/artifacts/e2e-oidc-provider.log"
      stack_start "$STACK_LOG"
      (cd client && E2E_BASE_URL="$STACK_URL" E2E_RESTART_CMD="$ROOT/scripts/stack_restart.sh" npm run --silent e2e -- ${E2E_ARGS:-})
      stack_stop
      oidc_provider_stop
      redis_private_stop
      ;;
    *) echo "unknown suite: $suite (backend, client, browser)" >&2; exit 2 ;;
  esac
done
echo "== all suites passed: ${SUITES[*]}"
