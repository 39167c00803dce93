"""The personal account as settlement uses it: balance, pay, refund — one narrow door to the
personal-account sub-ledger (`enrollment.services.accounts`), so settling never writes it directly."""

from __future__ import annotations

from datetime import date
from typing import Any

from enrollment.models import Person, PostingKind
from enrollment.services.accounts import _post, account_balance, account_open, account_pay
from pooling.kernel.scoping import unrestricted


def balance(*, person: Person) -> int:
    with unrestricted():
        return account_balance(person=person)


def pay(*, person: Person, amount_fen: int, month: date, key: str, memo: str, by: Any = None) -> None:
    with unrestricted():
        account_pay(person=person, amount_fen=amount_fen, month=month, key=key, memo=memo, by=by)


def refund(*, person: Person, amount_fen: int, month: date, key: str, memo: str, by: Any = None) -> None:
    """Put back what a reversed settlement paid from the account (a new posting, never an edit)."""
    with unrestricted():
        _post(account=account_open(person=person), county_code=person.county_id, kind=PostingKind.PAYMENT,
              month=month, amount_fen=amount_fen, key=key, memo=memo, by=by)
