"""The personal account as settlement uses it: balance, pay, refund — one narrow door to the
personal-account sub-ledger (`enrollment.services.accounts`), so settling never writes it directly."""

from __future__ import annotations

from datetime import date
from typing import Any

from enrollment.models import Person
from enrollment.services.accounts import account_balance, account_pay, account_refund
from pooling.kernel.scoping import unrestricted


def _user(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


def balance(*, person: Person) -> int:
    with unrestricted():
        return account_balance(person=person)


def pay(*, person: Person, amount_fen: int, month: date, key: str, memo: str, by: Any = None) -> None:
    with unrestricted():
        account_pay(person=person, amount_fen=amount_fen, month=month, key=key, memo=memo, actor=_user(by))


def refund(*, person: Person, amount_fen: int, month: date, key: str, memo: str, by: Any = None) -> None:
    """Put back what a reversed settlement paid from the account (a new posting, never an edit)."""
    with unrestricted():
        account_refund(person=person, amount_fen=amount_fen, month=month, key=key, memo=memo, actor=_user(by))
