"""The ledger's API: reads for who may see the fund ("fund.view"), posting for "ledger.post"."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from funds import reports, selectors
from funds.models import Account, Book
from funds.services import LineSpec, post_entry
from pooling.kernel.money import fen_to_yuan
from pooling.web.decorators import acting
from pooling.web.drf import HasCapability
from pooling.web.exports import Table

FUND_READERS = [HasCapability.of("fund.view")]


class AccountSerializer(serializers.ModelSerializer):
    book: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Account
        fields = [
            "id",
            "book",
            "code",
            "name",
            "category",
            "klass",
            "side",
            "county",
            "city_level",
            "no_overdraft",
            "balance_fen",
        ]


class AccountList(generics.ListAPIView):
    """Accounts of the caller's scope, with balances in fen (debit positive)."""

    serializer_class = AccountSerializer
    permission_classes = FUND_READERS
    queryset = Account.objects.select_related("book").order_by("book", "code")
    filterset_fields = ["book__code", "category", "county"]


class BookOverview(APIView):
    """Each book's balance and months of payment capacity."""

    permission_classes = FUND_READERS

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        return Response(
            [
                {
                    "book": c.book.code,
                    "name": c.book.name,
                    "balance_fen": c.balance_fen,
                    "average_expense_fen": c.average_expense_fen,
                    "months": str(c.months) if c.months is not None else None,
                    "level": c.level,
                }
                for c in selectors.book_overview()
            ]
        )


def _period(request: Request) -> tuple[int, int, str | None]:
    year, month = selectors.today_period()
    return (
        int(request.query_params.get("year", year)),
        int(request.query_params.get("month", month)),
        request.query_params.get("county") or None,
    )


class Statement(APIView):
    """Fund statement of one book × county × month, in yuan strings."""

    permission_classes = FUND_READERS

    @extend_schema(responses={200: dict})
    def get(self, request: Request, code: str) -> Response:
        year, month, county = _period(request)
        st = selectors.fund_statement(
            book=get_object_or_404(Book, code=code), year=year, month=month, county=county
        )
        table = reports.statement_table(st)
        return Response({"header": _header(table), "rows": _cells(table.rows)})


class Trial(APIView):
    """Trial balance of one book and month."""

    permission_classes = FUND_READERS

    @extend_schema(responses={200: dict})
    def get(self, request: Request, code: str) -> Response:
        year, month, county = _period(request)
        tb = selectors.trial_balance(
            book=get_object_or_404(Book, code=code), year=year, month=month, county=county
        )
        table = reports.trial_table(tb, county)
        return Response(
            {"header": _header(table), "balanced": tb.balanced, "rows": _cells(table.rows)}
        )


def _header(table: Table) -> list[str]:
    return [str(c.header) for c in table.columns]


def _cells(rows: Iterable[Sequence[Any]]) -> list[list[str]]:
    """Money in yuan strings, as the page shows it; labels as text; an empty cell empty."""
    return [
        [
            ""
            if v is None
            else str(fen_to_yuan(v))
            if isinstance(v, int) and not isinstance(v, bool)
            else str(v)
            for v in r
        ]
        for r in rows
    ]


class LineIn(serializers.Serializer):
    account = serializers.CharField(help_text="科目代码，如 1001-320900")
    amount_fen = serializers.IntegerField(help_text="借方为正、贷方为负（分）")
    county = serializers.CharField(required=False, allow_blank=True)


class EntryIn(serializers.Serializer):
    key = serializers.CharField(max_length=200)
    book = serializers.SlugRelatedField(slug_field="code", queryset=Book.objects.all())
    memo = serializers.CharField(max_length=200)
    source = serializers.CharField(max_length=60, required=False, default="api")  # type: ignore[assignment]  # the entry's field, not DRF's Field.source
    entry_date = serializers.DateField(required=False)
    lines = LineIn(many=True)


class PostEntry(APIView):
    """Post one balanced entry; the same key with the same payload returns the same entry."""

    permission_classes = [HasCapability.of("ledger.post")]

    @extend_schema(request=EntryIn, responses={201: dict})
    def post(self, request: Request) -> Response:
        data: Any = EntryIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        entry = post_entry(
            key=v["key"],
            book=v["book"],
            memo=v["memo"],
            source=v["source"],
            entry_date=v.get("entry_date"),
            actor=acting(request),
            lines=[
                LineSpec(ln["account"], ln["amount_fen"], ln.get("county") or None)
                for ln in v["lines"]
            ],
        )
        return Response(
            {"id": entry.pk, "key": entry.key, "period": entry.period.label},
            status=status.HTTP_201_CREATED,
        )
