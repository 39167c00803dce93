"""The fund ledger: books, accounts, periods, entries, lines and maintained totals.

Money moves only through `funds.services.ledger.post_entry` (and its bulk form).
On PostgreSQL the database itself refuses what the services refuse (see
migration 0002): unbalanced entries, edits or deletions of posted lines and
entries, postings across two books, entries into a closed period, and an
overdrawn "no overdraft" account. Other apps' future models (budgets, schedules)
live in their own modules and are imported at the bottom.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from funds.chart import CREDIT, DEBIT, Category, Klass
from pooling.kernel.choices import Scheme
from pooling.kernel.scoping import ScopedModel


class Book(models.Model):
    """One book per scheme: separate accounting, separate interest, no cross-use."""

    code = models.CharField(_("账簿代码"), max_length=30, unique=True)
    scheme = models.CharField(_("险种"), max_length=20, choices=Scheme.choices)
    name = models.CharField(_("账簿名称"), max_length=60)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    # Warning lines for months of payment capacity (人社部发〔2009〕67号: 6–9 normal,
    # < 3 insufficient, > 15 excessive); each city sets its own.
    capacity_danger_below = models.DecimalField(
        _("可支付月数严重不足线"), max_digits=5, decimal_places=1, default=Decimal("3")
    )
    capacity_warn_below = models.DecimalField(
        _("可支付月数预警线"), max_digits=5, decimal_places=1, default=Decimal("6")
    )
    capacity_warn_above = models.DecimalField(
        _("可支付月数结余过多线"), max_digits=5, decimal_places=1, default=Decimal("15")
    )

    class Meta:
        verbose_name = _("基金账簿")
        verbose_name_plural = _("基金账簿")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Account(ScopedModel):
    """An account of one book, owned by the city or by one handling unit.

    `balance_fen` is debit-positive and maintained by the posting service under
    a row lock; `manage.py reconcile` proves it equals the sum of the lines.
    """

    book = models.ForeignKey(
        Book, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("账簿")
    )
    county = models.ForeignKey(
        "pooling.Region",
        on_delete=models.PROTECT,
        related_name="fund_accounts",
        verbose_name=_("所属单位"),
    )
    code = models.CharField(_("科目代码"), max_length=40)
    name = models.CharField(_("科目名称"), max_length=100)
    category = models.CharField(_("科目类别"), max_length=40, choices=Category.choices)
    klass = models.CharField(_("性质"), max_length=10, choices=Klass.choices)
    side = models.CharField(
        _("余额方向"), max_length=1, choices=[(DEBIT, _("借")), (CREDIT, _("贷"))]
    )
    # A city-level account (e.g. the fiscal special account) takes lines accounted
    # to any county; a county's own account only takes lines of that county.
    city_level = models.BooleanField(_("市级账户"), default=False)
    no_overdraft = models.BooleanField(_("不得透支"), default=False)
    balance_fen = models.BigIntegerField(_("余额（分，借方为正）"), default=0)

    class Meta:
        verbose_name = _("会计科目")
        verbose_name_plural = _("会计科目")
        ordering = ["book", "code"]
        constraints = [
            models.UniqueConstraint(fields=["book", "code"], name="funds_account_code_per_book"),
            models.UniqueConstraint(fields=["id", "book"], name="funds_account_id_book"),
            # The last line of defence against an overdraft, whatever wrote the balance.
            models.CheckConstraint(
                condition=models.Q(no_overdraft=False)
                | models.Q(side=DEBIT, balance_fen__gte=0)
                | models.Q(side=CREDIT, balance_fen__lte=0),
                name="funds_account_no_overdraft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def normal_balance_fen(self) -> int:
        """The balance on the account's own side (a credit-side fund shows positive)."""
        return self.balance_fen if self.side == DEBIT else -self.balance_fen


class Period(models.Model):
    """An accounting month of one book (Asia/Shanghai calendar months)."""

    OPEN = "open"
    CLOSED = "closed"

    book = models.ForeignKey(
        Book, on_delete=models.PROTECT, related_name="periods", verbose_name=_("账簿")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    status = models.CharField(
        _("状态"), max_length=10, default=OPEN, choices=[(OPEN, _("未结账")), (CLOSED, _("已结账"))]
    )
    closed_at = models.DateTimeField(_("结账时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("结账人"),
    )

    class Meta:
        verbose_name = _("会计期间")
        verbose_name_plural = _("会计期间")
        ordering = ["book", "year", "month"]
        constraints = [
            models.UniqueConstraint(fields=["book", "year", "month"], name="funds_period_month"),
            models.UniqueConstraint(fields=["id", "book"], name="funds_period_id_book"),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="funds_period_month_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.book} {self.year}-{self.month:02d}"

    @property
    def label(self) -> str:
        return f"{self.year}-{self.month:02d}"


class Entry(models.Model):
    """A balanced journal entry. Never edited: a mistake gets a reversing entry."""

    # Both enforced at once on PostgreSQL by the composite key (period_id, book_id) →
    # period (id, book_id) of migration 0002: one check per entry instead of two.
    book = models.ForeignKey(
        Book,
        on_delete=models.PROTECT,
        related_name="entries",
        db_constraint=False,
        db_index=False,
        verbose_name=_("账簿"),
    )
    period = models.ForeignKey(
        Period,
        on_delete=models.PROTECT,
        related_name="entries",
        db_constraint=False,
        verbose_name=_("会计期间"),
    )
    key = models.CharField(_("幂等键"), max_length=200, unique=True)
    payload_hash = models.CharField(_("内容摘要"), max_length=64)
    entry_date = models.DateField(_("记账日期"))
    memo = models.CharField(_("摘要"), max_length=200)
    source = models.CharField(_("来源"), max_length=60, blank=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("冲销的分录"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("记账人"),
    )
    posted_at = models.DateTimeField(_("过账时间"), default=timezone.now)

    class Meta:
        verbose_name = _("记账凭证")
        verbose_name_plural = _("记账凭证")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.memo}"


class Line(ScopedModel):
    """One posting: debit positive, credit negative, accounted to one county (分级核算).

    On PostgreSQL the references to entry, account (both in the line's book) and
    county are checked once per INSERT statement, set-based, by the trigger of
    migration 0002 rather than by per-row foreign-key triggers: the same
    guarantee (entries and accounts in use can be neither deleted nor re-keyed),
    several times faster for a month's bulk posting.
    """

    entry = models.ForeignKey(
        Entry,
        on_delete=models.PROTECT,
        related_name="lines",
        db_constraint=False,
        verbose_name=_("凭证"),
    )
    book = models.ForeignKey(
        Book,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name=_("账簿"),
    )
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="lines",
        db_constraint=False,
        verbose_name=_("科目"),
    )
    county = models.ForeignKey(
        "pooling.Region",
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name=_("核算单位"),
    )
    amount_fen = models.BigIntegerField(_("金额（分，借正贷负）"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name=_("记账人"),
    )

    class Meta:
        verbose_name = _("分录行")
        verbose_name_plural = _("分录行")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount_fen=0), name="funds_line_nonzero"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount_fen}"

    @property
    def debit_fen(self) -> int:
        return self.amount_fen if self.amount_fen > 0 else 0

    @property
    def credit_fen(self) -> int:
        return -self.amount_fen if self.amount_fen < 0 else 0


class AccountTotal(ScopedModel):
    """Debits and credits per account × county × period, maintained with each posting.

    Balances and statements read these instead of summing millions of lines;
    `reconcile` proves they equal the lines.
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="totals")
    county = models.ForeignKey("pooling.Region", on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="totals")
    debit_fen = models.BigIntegerField(default=0)
    credit_fen = models.BigIntegerField(default=0)
    line_count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("科目发生额")
        verbose_name_plural = _("科目发生额")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "county", "period"], name="funds_total_account_county_period"
            ),
        ]


from funds.models_plans import (  # noqa: E402
    Budget,
    BudgetAdjustment,
    BudgetItem,
    Instalment,
    InstalmentPayment,
    InterestRate,
    MonthlyPlan,
    PrePoolingClaim,
    PrePoolingPosition,
    RemittanceRule,
)

AUDITED_PLAN_MODELS = [
    Budget,
    BudgetItem,
    BudgetAdjustment,
    MonthlyPlan,
    RemittanceRule,
    PrePoolingPosition,
    Instalment,
    InstalmentPayment,
    PrePoolingClaim,
    InterestRate,
]
__all__ = [
    "Account",
    "AccountTotal",
    "Book",
    "Entry",
    "Line",
    "Period",
    *[m.__name__ for m in AUDITED_PLAN_MODELS],
]
