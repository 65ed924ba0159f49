#!/usr/bin/env bash
# Start the whole platform in the foreground (what `make run` does after installing).
# Embedded PostgreSQL/Redis are started for whichever of DATABASE_URL/REDIS_URL is unset.
# Ctrl-C (or SIGTERM) stops every process, then the embedded services.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY="$ROOT/.venv/bin/python"

# Values from .env count as set (real environment variables win). The file is parsed as data by
# backend/config/dotenv.py (the reader Django uses too), never sourced: `$(...)` stays text.
if [[ -f .env ]]; then DOTENV_EXPORTS="$("$PY" backend/config/dotenv.py .env)"; eval "$DOTENV_EXPORTS"; fi
# Debug is off by default everywhere else; a local run asks for it unless .env says false.
export DJANGO_DEBUG="${DJANGO_DEBUG:-true}"
# Exchange keys and webhook secrets are stored encrypted (backend/accounts/crypto.py). Without a key
# of your own, one is made once into .data/field-encryption-keys (readable by you only) and reused
# by every later run: keep that file, the stored secrets cannot be read without it.
if [[ -z "${FIELD_ENCRYPTION_KEYS:-}" && -z "${FIELD_ENCRYPTION_KEYS_FILE:-}" ]]; then
  KEYS_FILE="${EMBEDDED_DATA_DIR:-$ROOT/.data}/field-encryption-keys"
  if [[ ! -s $KEYS_FILE ]]; then
    mkdir -p "$(dirname "$KEYS_FILE")"
    (umask 077 && "$PY" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())' >"$KEYS_FILE")
    echo "Generated the encryption key of stored secrets: $KEYS_FILE"
  fi
  export FIELD_ENCRYPTION_KEYS_FILE="$KEYS_FILE"
fi

# Prometheus metrics (backend/common/metrics.py): every process of this host writes its samples into
# one directory, which the web process merges at /metrics. Emptied here (its *.db files only), so no
# process of an earlier run is counted.
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-${EMBEDDED_DATA_DIR:-$ROOT/.data}/metrics}"
mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
find "$PROMETHEUS_MULTIPROC_DIR" -maxdepth 1 -type f -name '*.db' -delete

export WEB_HOST="${WEB_HOST:-127.0.0.1}" WEB_PORT="${WEB_PORT:-8000}" FLOWER_PORT="${FLOWER_PORT:-5555}"
export CELERY_CONCURRENCY="${CELERY_CONCURRENCY:-2}"
export FLOWER_URL="http://$WEB_HOST:$FLOWER_PORT/"
# The market: the built-in sandbox exchange unless BINANCE_ENV says testnet or live.
export BINANCE_ENV="${BINANCE_ENV:-sandbox}"
export SANDBOX_PORT="${SANDBOX_PORT:-8765}" SANDBOX_SPEED="${SANDBOX_SPEED:-60}"
PROCESSES=(web worker beat flower stream signals trading strategies)
if [[ $BINANCE_ENV == sandbox ]]; then
  export BINANCE_SANDBOX_URL="http://127.0.0.1:$SANDBOX_PORT"
  PROCESSES+=(sandbox)
fi

eval "$(cd backend && "$PY" -m common.embedded up)"
stop_embedded() { if [[ -n "${EMBEDDED_SERVICES:-}" ]]; then (cd backend && "$PY" -m common.embedded down) || true; fi; }
trap stop_embedded EXIT

(cd backend && "$PY" manage.py migrate --no-input -v0 && "$PY" manage.py ensure_demo_admin)

if [[ $BINANCE_ENV == sandbox ]]; then
  # Continue the replay where the last run left it (see scripts/sandbox_clock.py).
  CLOCK_FILE="${EMBEDDED_DATA_DIR:-$ROOT/.data}/sandbox-clock"
  mkdir -p "$(dirname "$CLOCK_FILE")"
  export SANDBOX_START="$("$PY" scripts/sandbox_clock.py "$CLOCK_FILE" "$SANDBOX_SPEED")"
fi

# Flower shows task arguments, results and tracebacks: it always asks for a login. Without
# FLOWER_BASIC_AUTH one is generated once into the data folder and shown below the first time.
FLOWER_AUTH_NOTE="login from FLOWER_BASIC_AUTH"
if [[ -z "${FLOWER_BASIC_AUTH:-}" ]]; then
  FLOWER_AUTH_FILE="${EMBEDDED_DATA_DIR:-$ROOT/.data}/flower-auth"
  mkdir -p "$(dirname "$FLOWER_AUTH_FILE")"
  if [[ ! -s "$FLOWER_AUTH_FILE" ]]; then
    (umask 077; "$PY" -c 'import secrets; print("flower:" + secrets.token_urlsafe(16))' >"$FLOWER_AUTH_FILE")
    FLOWER_AUTH_NOTE="user flower, password $(cut -d: -f2- "$FLOWER_AUTH_FILE"); shown once, kept in $FLOWER_AUTH_FILE"
  else
    FLOWER_AUTH_NOTE="user flower, password in $FLOWER_AUTH_FILE"
  fi
  export FLOWER_BASIC_AUTH="$(cat "$FLOWER_AUTH_FILE")"
fi

without_credentials() { local url="$1"; [[ $url == *@* ]] && url="${url%%://*}://${url#*@}"; echo "$url"; }

cat <<BANNER

  Binance Signal Scanner is starting
  ----------------------------------
  Dashboard      http://$WEB_HOST:$WEB_PORT/
  API docs       http://$WEB_HOST:$WEB_PORT/api/docs/
  OpenAPI schema http://$WEB_HOST:$WEB_PORT/api/schema/
  Health         http://$WEB_HOST:$WEB_PORT/api/health/
  Metrics        http://$WEB_HOST:$WEB_PORT/metrics (Prometheus; loopback, METRICS_ALLOW or METRICS_TOKEN)
  Admin          http://$WEB_HOST:$WEB_PORT/admin/
  Flower         http://$WEB_HOST:$FLOWER_PORT/ ($FLOWER_AUTH_NOTE)
  WebSocket      ws://$WEB_HOST:$WEB_PORT/ws/signals/
  Exchange       $BINANCE_ENV${BINANCE_SANDBOX_URL:+ at $BINANCE_SANDBOX_URL (replay speed x$SANDBOX_SPEED)}
  Database       $(without_credentials "$DATABASE_URL")
  Redis          $(without_credentials "$REDIS_URL")
  Embedded       ${EMBEDDED_SERVICES:-none}
  Press Ctrl-C to stop everything.

BANNER

"$ROOT/.venv/bin/honcho" -f "$ROOT/Procfile" -d "$ROOT" start "${PROCESSES[@]}" &
HONCHO_PID=$!
trap 'kill -TERM "$HONCHO_PID" 2>/dev/null || true' INT TERM
# The first wait returns when a signal arrives; the second waits for honcho to finish stopping.
wait "$HONCHO_PID" || true
wait "$HONCHO_PID" 2>/dev/null || true
