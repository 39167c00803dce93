"""The personal account as settlement uses it: balance, pay, refund — one narrow door to the
personal-account sub-ledger (`enrollment.services.accounts`), so settling never writes it directly.
The settling actor (a clerk, or the national interface's system actor) pays in its own name."""

from __future__ import annotations

from datetime import date

from enrollment.models import Person
from enrollment.services.accounts import account_balance, account_pay, account_refund
from pooling.kernel.permissions import Actor
from pooling.kernel.scoping import unrestricted


def balance(*, person: Person) -> int:
    with unrestricted():
        return account_balance(person=person)


def pay(*, person: Person, amount_fen: int, month: date, key: str, memo: str, actor: Actor) -> None:
    with unrestricted():
        account_pay(
            person=person, amount_fen=amount_fen, month=month, key=key, memo=memo, actor=actor
        )


def refund(
    *, person: Person, amount_fen: int, month: date, key: str, memo: str, actor: Actor
) -> None:
    """Put back what a reversed settlement paid from the account (a new posting, never an edit)."""
    with unrestricted():
        account_refund(
            person=person, amount_fen=amount_fen, month=month, key=key, memo=memo, actor=actor
        )
