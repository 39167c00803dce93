"""Speed and memory benches (`make bench`, `make bench ARGS=--quick`): not tests.

Each module here exposes `main(argv) -> int` and accepts `--quick`; `python -m bench`
runs every one of them. They need PostgreSQL: DATABASE_URL names a bench database,
which each bench creates and migrates if needed.
"""
