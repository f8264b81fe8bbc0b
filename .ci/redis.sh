#!/usr/bin/env bash
# Starts or stops the throw-away Redis used by the replay-store tests:
#   .ci/redis.sh start   → redis-server on 127.0.0.1:6390 (no persistence), waits until it answers
#   .ci/redis.sh stop    → stops that server (by its pid file) and waits until it is gone
# CI installs it with: apt-get install -y redis-server
set -euo pipefail

PORT="${RAKOMI_REDIS_PORT:-6390}"
PIDFILE="${RAKOMI_REDIS_PIDFILE:-/tmp/rakomi-redis.pid}"

answers() {
  [ "$(redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null)" = "PONG" ]
}

start() {
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "redis-server is not installed (apt-get install -y redis-server)" >&2
    exit 1
  fi
  if answers; then
    echo "redis already answering on 127.0.0.1:$PORT"
    return 0
  fi
  redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize yes --pidfile "$PIDFILE"
  for _ in $(seq 1 100); do
    if answers; then
      echo "redis started on 127.0.0.1:$PORT (pid $(cat "$PIDFILE" 2>/dev/null || echo '?'))"
      return 0
    fi
    sleep 0.05
  done
  echo "redis-server did not answer on 127.0.0.1:$PORT within 5 s" >&2
  exit 1
}

stop() {
  if [ ! -f "$PIDFILE" ]; then
    echo "no pid file at $PIDFILE: nothing to stop"
    return 0
  fi
  pid="$(cat "$PIDFILE")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "redis (pid $pid) did not stop within 5 s" >&2
      exit 1
    fi
  fi
  rm -f "$PIDFILE"
  echo "redis stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
