"""How a payment is split over what it pays for: the one rule (issue 13, collection).

An employee collection pays a declaration whose parts belong to different books (the
employer's share and the pooled part of the employee's to the pooled book, the account
part of the employee's share to the personal-account book, maternity to the maternity
book). A partial payment is split in proportion to the parts, each rounded down; the
fen left over go to the pooled part first, then to the others by largest remainder —
never above a part, so a payment up to the total never over-pays any part and the
parts always sum to the payment. Money above the total belongs to no part: it is
returned as `excess` (the caller keeps it in suspense).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

POOLED = "employee_pooled"


@dataclass(frozen=True)
class Split:
    parts: dict[str, int]
    excess: int = 0

    @property
    def total(self) -> int:
        return sum(self.parts.values()) + self.excess


def split_payment(amount_fen: int, components: Mapping[str, int], *, first: str = POOLED) -> Split:
    """Split `amount_fen` over `components` (name → fen due) in proportion; see the module."""
    if amount_fen < 0 or any(v < 0 for v in components.values()):
        raise ValueError("split_payment: amounts must not be negative")
    total = sum(components.values())
    paid = min(amount_fen, total)
    if total == 0:
        return Split({name: 0 for name in components}, excess=amount_fen)
    parts = {name: paid * due // total for name, due in components.items()}
    left = paid - sum(parts.values())
    # Remainders in fen·total units: integer arithmetic only, the order stable by name.
    order = sorted(components, key=lambda n: (n != first, -(paid * components[n] % total), n))
    for name in order:
        if not left:
            break
        give = min(left, components[name] - parts[name])
        parts[name] += give
        left -= give
    return Split(parts, excess=amount_fen - paid)
