#!/usr/bin/env bash
# Run one command with the platform's environment (embedded services started if no URLs are set;
# they keep running afterwards: stop them with `cd backend && ../.venv/bin/python -m common.embedded down`).
set -euo pipefail
cd "$(dirname "$0")/.."
# As scripts/run.sh: .env parsed (never sourced), then debug on unless .env says false.
if [[ -f .env ]]; then DOTENV_EXPORTS="$(.venv/bin/python backend/config/dotenv.py .env)"; eval "$DOTENV_EXPORTS"; fi
export DJANGO_DEBUG="${DJANGO_DEBUG:-true}"
eval "$(cd backend && ../.venv/bin/python -m common.embedded up)"
exec "$@"
