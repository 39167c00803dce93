"""Run every bench in this package: `python -m bench [--quick]`, or `python -m bench NAME [...]`.

Benches are discovered (every module with a `main(argv)`), so a new bench file
needs no edit here.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def discover() -> list[str]:
    here = Path(__file__).resolve().parent
    names = []
    for info in pkgutil.iter_modules([str(here)]):
        if info.name.startswith("_") or info.name == "common":
            continue
        module = importlib.import_module(f"bench.{info.name}")
        if callable(getattr(module, "main", None)):
            names.append(info.name)
    return sorted(names)


def run(argv: list[str]) -> int:
    available = discover()
    chosen = [a for a in argv if a in available]
    flags = [a for a in argv if a not in available]
    failures = 0
    for name in chosen or available:
        print(f"\n===== bench.{name} {' '.join(flags)}", flush=True)
        try:
            code = _call(importlib.import_module(f"bench.{name}").main, name, flags)
        except Exception as exc:  # one broken bench must not hide the others' figures
            print(f"bench.{name} failed: {type(exc).__name__}: {exc}", flush=True)
            code = 1
        failures += 1 if code else 0
    print(f"\n{len(chosen or available)} benches run, {failures} below their floor")
    return 1 if failures else 0


def _call(main: Callable[..., Any], name: str, flags: list[str]) -> Any:
    """`main(argv)` is the contract; a `main()` that reads sys.argv gets the flags there."""
    if inspect.signature(main).parameters:
        return main(flags)
    saved = sys.argv
    sys.argv = [f"bench.{name}", *flags]
    try:
        return main()
    finally:
        sys.argv = saved


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
