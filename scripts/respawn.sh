#!/usr/bin/env bash
# respawn.sh NAME COMMAND...: run COMMAND, and start it again 2 s after it exits with an error, as
# docker-compose's `restart: unless-stopped` does. Without it one process that exits makes honcho
# (scripts/run.sh) stop every process: the Celery worker can exit when its Redis broker goes away
# while it holds unacknowledged messages (kombu fails to restore them over the lost connection).
# honcho signals the whole process group, so a TERM reaches COMMAND directly; this loop then ends.
set -u
name=$1
shift
stopping=0
trap 'stopping=1' TERM INT
while true; do
  "$@" &
  child=$!
  while true; do
    wait "$child"
    code=$?
    kill -0 "$child" 2>/dev/null || break # the wait was cut short by a signal, not by the exit
  done
  if ((stopping || code == 0)); then exit "$code"; fi
  echo "$name exited with code $code; starting it again in 2 s" >&2
  sleep 2
  if ((stopping)); then exit "$code"; fi
done
