#!/usr/bin/env bash
# Start the web app (gunicorn), the task worker (django-tasks db_worker: messages) and the deadline worker
# (escalations, reminders); stop all of them on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
.venv/bin/python manage.py db_worker --interval 2 --no-reload &
tasks=$!
.venv/bin/python manage.py ticket_worker --interval 30 &
deadlines=$!
trap 'kill $tasks $deadlines 2>/dev/null || true' EXIT INT TERM
echo "网格 Wangge: http://$HOST:$PORT/  (Ctrl-C 停止)"
.venv/bin/gunicorn wangge.wsgi --bind "$HOST:$PORT" --workers 2 --threads 4 --access-logfile -
