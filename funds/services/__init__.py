"""Writes of the fund app. `post_entry` is the only way money moves."""

from funds.services.ledger import (
    EntrySpec,
    LineSpec,
    cr,
    dr,
    period_close,
    post_entries_bulk,
    post_entry,
    reverse_entry,
)

__all__ = [
    "EntrySpec",
    "LineSpec",
    "cr",
    "dr",
    "period_close",
    "post_entries_bulk",
    "post_entry",
    "reverse_entry",
]
