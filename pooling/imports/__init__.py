"""Bulk imports, the workflow every kind shares: upload → preview → all-or-nothing commit.

- `models.ImportBatch`: one uploaded file, its status, counts, progress and errors.
- `kinds`: what a kind of import is (columns, how one row is checked, how rows are
  written); apps offer kinds in `<app>/imports/kinds.py` (`IMPORT_KINDS.register(...)`).
- `services`: the workflow (preview validates every row; commit re-validates and
  writes inside one transaction, claimed so it happens once).
- `tasks`: the Celery tasks (batch id in, one service call).
- `views`, `api`, `urls`, `api_urls`: the pages (/imports/) and the API (/api/v1/imports/).

The file itself is read by `pooling.tabular.reader`.
"""
