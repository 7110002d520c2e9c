#!/usr/bin/env bash
# Start the web app (gunicorn), the task worker (django-tasks db_worker: messages) and the deadline worker
# (escalations, reminders), and on a demo database the demo's day in progress (demo_pulse); a worker that
# exits is started again after 2 s (as deploy/*.service do under systemd); Ctrl-C stops all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
keep_running() {
  while true; do
    "$@" || echo "$1 $3 exited ($?); restarting in 2 s" >&2
    sleep 2
  done
}
keep_running .venv/bin/python manage.py db_worker --interval 2 --no-reload &
tasks=$!
keep_running .venv/bin/python manage.py ticket_worker --interval 30 &
deadlines=$!
pulse=""
if [ "${WANGGE_DEMO:-False}" = "True" ]; then  # the demo's day goes on: requests keep arriving
  keep_running .venv/bin/python manage.py demo_pulse --interval 60 &
  pulse=$!
fi
trap 'kill $tasks $deadlines $pulse 2>/dev/null || true; pkill -P $tasks 2>/dev/null || true; pkill -P $deadlines 2>/dev/null || true; [ -n "$pulse" ] && pkill -P $pulse 2>/dev/null || true' EXIT INT TERM
echo "网格 Wangge: http://$HOST:$PORT/  (Ctrl-C 停止)"
.venv/bin/gunicorn wangge.wsgi --bind "$HOST:$PORT" --workers 2 --threads 4 --access-logfile -
