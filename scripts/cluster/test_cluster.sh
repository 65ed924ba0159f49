#!/usr/bin/env bash
# `make test-cluster`: the scale-out tests on real processes (SCALING.md), then, as root, the cluster
# test in network namespaces (scripts/cluster/netns_cluster.py; CLUSTER_SYMBOLS, default 1000).
# The pytest part uses DATABASE_URL/REDIS_URL when set, embedded PostgreSQL/Redis otherwise.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PY="$ROOT/.venv/bin/python"
export DJANGO_DEBUG=true

(
  eval "$(cd backend && "$PY" -m common.embedded up)"
  cleanup() { if [[ -n "${EMBEDDED_SERVICES:-}" ]]; then (cd backend && "$PY" -m common.embedded down) || true; fi; }
  trap cleanup EXIT
  TESTS=(backend/market/tests/test_shards.py backend/market/tests/test_shards_takeover.py
         backend/signals/tests/test_live_shards.py backend/strategies/tests/test_engine_shards.py
         backend/signals/tests/test_scan_batches.py backend/cluster_tests)
  "$PY" -m pytest -p no:cacheprovider "${TESTS[@]}" "$@"
)

echo "== cluster in network namespaces"
if [[ $(id -u) == 0 ]] && command -v ip >/dev/null; then
  "$PY" scripts/cluster/netns_cluster.py --symbols "${CLUSTER_SYMBOLS:-1000}"
else
  echo "skipped: needs root and iproute2 (ip netns); run: sudo $PY scripts/cluster/netns_cluster.py"
fi
