#!/usr/bin/env bash
# One command for a fresh machine: virtual environment, install, migrate, demo data, serve on 127.0.0.1:8000.
# SQLite and in-process tasks unless DATABASE_URL / REDIS_URL are set in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
export DEBUG=${DEBUG:-true}
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py seed_demo
echo "门户已启动：http://127.0.0.1:8000/ （Ctrl+C 停止）"
exec .venv/bin/python manage.py runserver 127.0.0.1:8000
