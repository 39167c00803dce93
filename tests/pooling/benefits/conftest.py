from __future__ import annotations

import pytest

from pooling.benefits.catalogue.importer import load_demo_catalogue
from tests.pooling.benefits.calculator_support import publish_demo_policy


@pytest.fixture
def in_force(db, bureau_admin, bureau_checker):
    """The demo policy and the demo catalogue, each published by two administrators."""
    publish_demo_policy(bureau_admin, bureau_checker)
    return load_demo_catalogue(maker=bureau_admin, checker=bureau_checker, echo=lambda *_: None)
