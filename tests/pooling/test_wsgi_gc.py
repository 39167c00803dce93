"""pooling.wsgi freezes what the server loaded, so a full collection does not walk it again."""

from __future__ import annotations

import gc
import importlib


def test_loading_the_server_freezes_what_it_loaded():
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    import pooling.wsgi

    importlib.reload(pooling.wsgi)
    try:
        assert gc.get_freeze_count() > 10_000  # Django and every app: far more than a few objects
    finally:
        gc.unfreeze()  # the test process collects as before
