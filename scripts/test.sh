#!/usr/bin/env bash
# The one test command: lint, type checks on the whole tree, and pytest on real
# PostgreSQL and Redis (started or installed here if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/bootstrap.sh dev
bash scripts/services.sh
# A superuser: it creates and migrates the test databases as their owner, creates the
# runtime role pooling_app if missing, and the harness (tests/conftest.py) then has every
# connection of the application take that role, as production's web/worker/beat do.
export DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/pooling}"
export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}"
export DEBUG=true
unset CELERY_BROKER_URL
echo "== ruff"; .venv/bin/ruff check . && .venv/bin/ruff format --check .
echo "== mypy (the whole tree: every package of the application, its tests and the benches)"
.venv/bin/mypy pooling enrollment providers funds settlement bench tests
echo "== pytest"
# Two workers: the machine (and CI) has two cores; each worker gets its own test database.
.venv/bin/pytest -n "${PYTEST_WORKERS:-2}" "$@"
echo "suite finished in $(( $(date +%s) - start )) s"
