#!/usr/bin/env bash
# `make test-cluster`: the scale-out tests on real processes (SCALING.md). Uses DATABASE_URL/REDIS_URL
# when set, embedded PostgreSQL/Redis otherwise, like scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PY="$ROOT/.venv/bin/python"
export DJANGO_DEBUG=true

eval "$(cd backend && "$PY" -m common.embedded up)"
cleanup() { if [[ -n "${EMBEDDED_SERVICES:-}" ]]; then (cd backend && "$PY" -m common.embedded down) || true; fi; }
trap cleanup EXIT

TESTS=(backend/market/tests/test_shards.py backend/market/tests/test_shards_takeover.py
       backend/signals/tests/test_scan_batches.py backend/cluster_tests)
"$PY" -m pytest -p no:cacheprovider "${TESTS[@]}" "$@"
