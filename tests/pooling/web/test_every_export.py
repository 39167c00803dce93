"""Every download the system offers, in CSV and XLSX, against rows named like an attack.

The export endpoints are found, not listed: every routed URL whose name ends in
"export", "csv" or "xlsx" (pages and admin alike). Each must have a way to call it in
CALLS below — a new export without one fails `test_it_knows_how_to_call_every_export`
— and each must write text a spreadsheet would run as inert text, money as numbers,
and an attacker's name back exactly as typed.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from enrollment.models import Declaration, DeclarationStatus
from funds.chart import Category
from funds.models import Budget, BudgetItem
from funds.services import cr, dr, post_entry
from funds.services.setup import account_for, books_ensure
from pooling.imports.models import ImportBatch, ImportStatus
from pooling.web.exports import FORMULA_START
from providers.choices import State
from tests.actors import SETUP
from tests.enrollment.factories import employer, person
from tests.providers.factories import codes

ATTACK = '=HYPERLINK("http://evil.example/x","点我")'
AMOUNT_FEN = 123456  # 1234.56 yuan, in every table with money
# Downloads that are not tables: the policy document is JSON, served by the API.
NOT_TABLES = {"api_policy_export"}
# Downloads named before this rule, found by name all the same.
ALSO = {"imports:template", "pooling:unification_template"}


@dataclass(frozen=True)
class Call:
    args: Any = ()  # a function of the fixture's rows, or a tuple
    query: str = ""
    marker: bool = True  # the attacker's name must come back
    money: bool = False  # 1234.56 must be there, as a number


def _book(rows: dict[str, Any]) -> tuple[str]:
    return (rows["book"].code,)


CALLS = {
    "enrollment:people_export": Call(),
    "enrollment:employers_export": Call(),
    "enrollment:declarations_export": Call(money=True),
    "enrollment:arrears_export": Call(money=True),
    "providers:public_list_export": Call(),
    "funds:trial_export": Call(_book, "year=2026&month=3", marker=False, money=True),
    "funds:statement_export": Call(_book, "year=2026&month=3", marker=False, money=True),
    "funds:journal_export": Call(_book, "year=2026&month=3", money=True),
    "funds:budgets_export": Call(query="year=2026", marker=False, money=True),
    "funds:budget_export": Call(lambda rows: (rows["budget"].pk,), marker=False, money=True),
    "funds:year_end_export": Call(_book, "year=2026", marker=False, money=True),
    "pooling:audit_log_export": Call(),
    "pooling:unification_export": Call(marker=False),
    "pooling:unification_template": Call(marker=False),
    "imports:errors_csv": Call(lambda rows: (rows["batch"].pk,)),
    "imports:template": Call(("people",), marker=False),
}
ADMIN_MARKED = {"enrollment_person", "enrollment_employer", "providers_provider"}
ADMIN_MONEY = {"enrollment_declaration"}


def export_names() -> list[str]:
    found: list[str] = []

    def walk(resolver: URLResolver, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                walk(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                name = namespace + entry.name
                if name.endswith(("export", "csv", "xlsx")) or name in ALSO:
                    found.append(name)

    walk(get_resolver(), "")
    return sorted(set(found) - NOT_TABLES)


@pytest.fixture
def hostile(county_a, clerk_a, bureau_admin, demo_policy):
    """One of everything an export shows, named by an attacker, in 亭湖区."""
    book = books_ensure(area_code="320900", codes=["resident"])[0]
    emp = employer(county_a, name=ATTACK)
    person(county_a, name=ATTACK)
    Declaration.objects.create(
        county=county_a,
        employer=emp,
        month=date(2026, 3, 1),
        total_fen=AMOUNT_FEN,
        status=DeclarationStatus.DECLARED,
    )
    national, credit = codes(county_a.code, "hospital")
    from providers.models import Provider

    Provider.objects.create(
        kind="hospital",
        name=ATTACK,
        national_code=national,
        credit_code=credit,
        location_region=county_a,
        handling_region=county_a,
        address="亭湖区大道1号",
        level="level2",
        ownership="private",
        opened_on=date(2020, 1, 1),
        state=State.PERFORMING,
        filed_on=date(2026, 2, 16),
    )
    post_entry(
        key="attack",
        book=book,
        memo=ATTACK,
        entry_date=date(2026, 3, 5),
        lines=[
            dr(
                account_for(book=book, category=Category.TREASURY_TRANSIT, county_code="320900"),
                AMOUNT_FEN,
                "320902",
            ),
            cr(
                account_for(book=book, category=Category.INCOME_PREMIUM, county_code="320902"),
                AMOUNT_FEN,
            ),
        ],
        actor=SETUP,
    )
    budget = Budget.objects.create(book=book, county=county_a, year=2026)
    BudgetItem.objects.create(
        budget=budget, category=Category.INCOME_PREMIUM, amount_fen=AMOUNT_FEN
    )
    batch = ImportBatch.objects.create(
        kind="people",
        stored_name="x",
        original_name="x.csv",
        uploaded_by=clerk_a,
        county=county_a,
        status=ImportStatus.PREVIEWED,
        error_count=1,
        errors=[{"row": 2, "column": ATTACK, "reason": ATTACK}],
    )
    return {"book": book, "budget": budget, "batch": batch}


def _url(name: str, rows: dict[str, Any]) -> str:
    call = CALLS[name]
    args = call.args(rows) if callable(call.args) else call.args
    return reverse(name, args=args) + (f"?{call.query}&" if call.query else "?")


def _body(response: Any) -> bytes:
    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    return b"".join(response.streaming_content) if response.streaming else response.content


def _safe_csv_cell(cell: str) -> bool:
    if not cell.lstrip(" \u3000").startswith(FORMULA_START):
        return True
    return bool(re.fullmatch(r"-\d+(\.\d+)?%?|\t\d+", cell))  # a negative number; a digit code


def check_csv(raw: bytes, call: Call) -> None:
    text = raw.decode("utf-8")
    assert text.startswith("\ufeff")
    cells = [c for row in csv.reader(io.StringIO(text[1:])) for c in row]
    assert all(_safe_csv_cell(c) for c in cells), [c for c in cells if not _safe_csv_cell(c)]
    if call.marker:
        assert any(c.startswith("'" + ATTACK) for c in cells)
    if call.money:
        assert "1234.56" in cells


def check_xlsx(raw: bytes, call: Call) -> None:
    cells = [
        c
        for row in load_workbook(io.BytesIO(raw)).active.iter_rows()
        for c in row
        if c.value is not None
    ]
    assert not [c for c in cells if c.data_type == "f"]
    text = [c for c in cells if isinstance(c.value, str)]
    assert all(c.quotePrefix for c in text if c.value.lstrip(" \u3000").startswith(FORMULA_START))
    money = [c for c in cells if c.number_format == "#,##0.00"]
    assert all(c.data_type == "n" for c in money)
    if call.marker:  # back exactly as typed, as text
        assert any(c.value.startswith(ATTACK) and c.data_type == "s" for c in text)
    if call.money:
        assert any(c.value == 1234.56 for c in money)


def test_it_knows_how_to_call_every_export():
    pages = [n for n in export_names() if not n.startswith("admin:")]
    assert sorted(pages) == sorted(CALLS)
    assert [
        n for n in export_names() if n.startswith("admin:")
    ]  # the admin's exports are found too


@pytest.mark.parametrize("name", sorted(CALLS))
def test_it_writes_every_page_export_formula_safe(name, hostile, client_for, superuser):
    client, call = client_for(superuser), CALLS[name]
    check_csv(_body(client.get(_url(name, hostile) + "format=csv")), call)
    check_xlsx(_body(client.get(_url(name, hostile) + "format=xlsx")), call)


def test_it_writes_every_admin_export_formula_safe(hostile, client_for, superuser):
    client = client_for(superuser)
    for name in [n for n in export_names() if n.startswith("admin:")]:
        model = name.removeprefix("admin:").removesuffix("_export")
        call = Call(marker=model in ADMIN_MARKED, money=model in ADMIN_MONEY)
        check_csv(_body(client.post(reverse(name), {"format": "0"})), call)
        check_xlsx(_body(client.post(reverse(name), {"format": "1"})), call)
