# Functions to run the full stack (scripts/run.sh) in the background for browser and smoke tests.
# Source it; needs $ROOT and $PY.

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# stack_start LOGFILE: starts run.sh in its own process group on free ports, waits for /api/health/ = 200.
stack_start() {
  local log="$1"
  export WEB_HOST=127.0.0.1 WEB_PORT="$(free_port)" FLOWER_PORT="$(free_port)" SANDBOX_PORT="$(free_port)"
  export STACK_URL="http://$WEB_HOST:$WEB_PORT"
  setsid "$ROOT/scripts/run.sh" >"$log" 2>&1 &
  STACK_PID=$!
  if ! "$PY" "$ROOT/scripts/wait_healthy.py" "$STACK_URL/api/health/" --timeout 120; then
    echo "The stack did not become healthy; last lines of $log:" >&2
    tail -n 60 "$log" >&2
    stack_stop
    return 1
  fi
}

# stack_stop: SIGTERM to run.sh (it stops honcho, then embedded services) and wait for it.
stack_stop() {
  [[ -n "${STACK_PID:-}" ]] || return 0
  kill -TERM "$STACK_PID" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$STACK_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$STACK_PID" 2>/dev/null; then
    echo "The stack did not stop within 30 s; killing its process group" >&2
    kill -KILL -- "-$STACK_PID" 2>/dev/null || true
  fi
  wait "$STACK_PID" 2>/dev/null || true
  STACK_PID=
}
