#!/usr/bin/env bash
# The demo on the embedded default: SQLite, eager Celery, server on 127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/python manage.py migrate --no-input -v0
.venv/bin/python manage.py load_demo
echo "打开 http://127.0.0.1:${PORT:-8000}/ 登录 / open http://127.0.0.1:${PORT:-8000}/"
exec .venv/bin/python manage.py runserver "127.0.0.1:${PORT:-8000}"
