# Two commands for a fresh machine: `make run` (demo city, server up) and `make test`.
.PHONY: run test bench lint messages
PORT ?= 8000

run:
	PORT=$(PORT) bash scripts/run.sh

test:
	bash scripts/test.sh

bench:
	bash scripts/bootstrap.sh dev
	bash scripts/services.sh
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/pooling_bench} .venv/bin/python -m bench $(ARGS)

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

messages:
	.venv/bin/python manage.py makemessages -l en --no-obsolete -i ".venv/*" -i "var/*"
	.venv/bin/python manage.py compilemessages -l en -i ".venv" -i "var"
