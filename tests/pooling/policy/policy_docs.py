"""Policy documents for tests: the shipped demo document, copied and changed per test."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

DEMO = Path(__file__).resolve().parents[3] / "pooling" / "policy" / "documents" / "demo-2026.json"


def demo_doc(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(json.loads(DEMO.read_text(encoding="utf-8")))
    doc.update(changes)
    return doc


# The test city's (320900) pre-pooling county parameters, as its demo file names them.
DEMO_BASELINES = DEMO.with_name("demo-county-baselines.csv")
