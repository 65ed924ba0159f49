#!/usr/bin/env bash
# Run one command with the platform's environment (embedded services started if no URLs are set;
# they keep running afterwards: stop them with `cd backend && ../.venv/bin/python -m common.embedded down`).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(cd backend && ../.venv/bin/python -m common.embedded up)"
exec "$@"
