"""Budgets, monthly fund-use plans, pre-pooling remittance schedules, claims and debts,
and interest rates: the plans the ledger is measured against."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from funds.chart import Category
from pooling.kernel.scoping import ScopedModel

USER = settings.AUTH_USER_MODEL


class Budget(ScopedModel):
    """A county's annual budget of one book: compiled by the county, issued by the city."""

    DRAFT, SUBMITTED, ISSUED = "draft", "submitted", "issued"
    STATUSES = [(DRAFT, _("编制中")), (SUBMITTED, _("已报送")), (ISSUED, _("已批复下达"))]

    book = models.ForeignKey(
        "funds.Book", on_delete=models.PROTECT, related_name="budgets", verbose_name=_("账簿")
    )
    county = models.ForeignKey(
        "pooling.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("编制单位")
    )
    year = models.PositiveSmallIntegerField(_("预算年度"))
    status = models.CharField(_("状态"), max_length=10, choices=STATUSES, default=DRAFT)
    submitted_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("报送人"),
    )
    issued_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("批复人"),
    )
    issued_at = models.DateTimeField(_("批复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("基金预算")
        verbose_name_plural = _("基金预算")
        ordering = ["-year", "book", "county"]
        constraints = [
            models.UniqueConstraint(fields=["book", "county", "year"], name="funds_budget_once")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.book} {self.county_id}"


class BudgetItem(ScopedModel):
    scope_paths = ("budget__county",)

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="items")
    category = models.CharField(_("预算科目"), max_length=40, choices=Category.choices)
    amount_fen = models.BigIntegerField(_("预算数（分）"), default=0)

    class Meta:
        verbose_name = _("预算项目")
        verbose_name_plural = _("预算项目")
        constraints = [
            models.UniqueConstraint(fields=["budget", "category"], name="funds_budget_item_once"),
            models.CheckConstraint(
                condition=models.Q(amount_fen__gte=0), name="funds_budget_item_nonneg"
            ),
        ]


class BudgetAdjustment(ScopedModel):
    """A change to an issued budget: one person asks, another approves (maker-checker)."""

    scope_paths = ("budget__county",)
    PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="adjustments")
    category = models.CharField(_("预算科目"), max_length=40, choices=Category.choices)
    delta_fen = models.BigIntegerField(_("调整额（分）"))
    reason = models.CharField(_("调整理由"), max_length=200)
    status = models.CharField(
        _("状态"),
        max_length=10,
        default=PENDING,
        choices=[(PENDING, _("待审核")), (APPROVED, _("已批准")), (REJECTED, _("已驳回"))],
    )
    requested_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    decided_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预算调整")
        verbose_name_plural = _("预算调整")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("requested_by")),
                name="funds_adjustment_four_eyes",
            ),
        ]


class MonthlyPlan(ScopedModel):
    """A county's monthly fund-use plan (月度资金使用计划); the city's is their sum."""

    book = models.ForeignKey("funds.Book", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("pooling.Region", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    planned_expense_fen = models.BigIntegerField(_("计划支出（分）"))
    submitted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The city approves a filed plan (a second person: four eyes); filing again clears it.
    # The monthly cycle disburses only approved plans (settlement/cycle/steps/disbursement.py).
    approved_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("月度用款计划")
        verbose_name_plural = _("月度用款计划")
        constraints = [
            models.UniqueConstraint(
                fields=["book", "county", "year", "month"], name="funds_plan_once"
            ),
            models.CheckConstraint(
                condition=models.Q(planned_expense_fen__gte=0), name="funds_plan_nonneg"
            ),
        ]


class RemittanceRule(models.Model):
    """How pre-pooling balances move to the city: a city's rule as data, not code.

    kind "surplus_tranches": a county remits shares of its accumulated surplus by dates
    (Yancheng: 50 % by 2019-12-31, 50 % by 2020-12-31).
    kind "deficit_instalments": a county in deficit first offsets it with its own past
    risk-adjustment contributions, then pays the rest by `final_due`, at least the given
    shares of the gap by the given dates (Sanmenxia: 30 % in 2021, 30 % in 2022, all by
    2023-12-31), or in one sum.
    """

    SURPLUS, DEFICIT = "surplus_tranches", "deficit_instalments"

    code = models.CharField(_("规则代码"), max_length=30, unique=True)
    name = models.CharField(_("规则名称"), max_length=100)
    kind = models.CharField(
        _("类型"),
        max_length=30,
        choices=[(SURPLUS, _("按比例分期上解累计结余")), (DEFICIT, _("先抵后补、分期弥补缺口"))],
    )
    # [{"due": "2019-12-31", "share": "0.5"}, ...]; for deficits the last date is final.
    tranches = models.JSONField(_("分期（到期日与比例）"))
    source = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("统筹前结余上解规则")
        verbose_name_plural = _("统筹前结余上解规则")

    def __str__(self) -> str:
        return self.name


class PrePoolingPosition(ScopedModel):
    """One county's pre-pooling balance of one book, under a rule."""

    rule = models.ForeignKey(RemittanceRule, on_delete=models.PROTECT, related_name="positions")
    book = models.ForeignKey("funds.Book", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("pooling.Region", on_delete=models.PROTECT, related_name="+")
    surplus_fen = models.BigIntegerField(_("累计结余（分）"), default=0)
    deficit_fen = models.BigIntegerField(_("累计缺口（分）"), default=0)
    risk_adjustment_paid_fen = models.BigIntegerField(_("历年上缴风险调剂金（分）"), default=0)
    offset_fen = models.BigIntegerField(_("以调剂金冲抵（分）"), default=0)
    lump_sum = models.BooleanField(_("一次性缴清"), default=False)

    class Meta:
        verbose_name = _("统筹前结余/缺口")
        verbose_name_plural = _("统筹前结余/缺口")
        constraints = [
            models.UniqueConstraint(fields=["rule", "book", "county"], name="funds_position_once"),
            models.CheckConstraint(
                condition=models.Q(
                    surplus_fen__gte=0, deficit_fen__gte=0, risk_adjustment_paid_fen__gte=0
                ),
                name="funds_position_nonneg",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.county_id}"


class Instalment(ScopedModel):
    scope_paths = ("position__county",)

    position = models.ForeignKey(
        PrePoolingPosition, on_delete=models.PROTECT, related_name="instalments"
    )
    seq = models.PositiveSmallIntegerField(_("期次"))
    due_date = models.DateField(_("到期日"))
    amount_fen = models.BigIntegerField(_("应缴（分）"))

    class Meta:
        verbose_name = _("上解分期")
        verbose_name_plural = _("上解分期")
        ordering = ["position", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["position", "seq"], name="funds_instalment_seq")
        ]


class InstalmentPayment(ScopedModel):
    """A payment against an instalment; its ledger entry is the proof (one entry, one payment)."""

    scope_paths = ("instalment__position__county",)

    instalment = models.ForeignKey(Instalment, on_delete=models.PROTECT, related_name="payments")
    entry = models.OneToOneField("funds.Entry", on_delete=models.PROTECT, related_name="+")
    amount_fen = models.BigIntegerField(_("实缴（分）"))
    paid_on = models.DateField(_("缴款日期"))

    class Meta:
        verbose_name = _("上解缴款")
        verbose_name_plural = _("上解缴款")


class PrePoolingClaim(ScopedModel):
    """债权债务: what a county was owed or owed before pooling, until cleared."""

    CLAIM, DEBT = "claim", "debt"

    book = models.ForeignKey("funds.Book", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("pooling.Region", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(
        _("类型"), max_length=10, choices=[(CLAIM, _("债权")), (DEBT, _("债务"))]
    )
    counterparty = models.CharField(_("对方单位"), max_length=100)
    description = models.CharField(_("事由"), max_length=200)
    amount_fen = models.BigIntegerField(_("金额（分）"))
    cleared_fen = models.BigIntegerField(_("已清理（分）"), default=0)
    cleared_on = models.DateField(_("清理完毕日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("统筹前债权债务")
        verbose_name_plural = _("统筹前债权债务")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cleared_fen__gte=0, cleared_fen__lte=models.F("amount_fen")),
                name="funds_claim_cleared_range",
            ),
        ]


class InterestRate(models.Model):
    """The annual rate a book's cash earns in a month, entered by finance."""

    book = models.ForeignKey("funds.Book", on_delete=models.PROTECT, related_name="rates")
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    annual_rate = models.DecimalField(_("年利率"), max_digits=7, decimal_places=6)

    class Meta:
        verbose_name = _("利率")
        verbose_name_plural = _("利率")
        constraints = [
            models.UniqueConstraint(fields=["book", "year", "month"], name="funds_rate_once")
        ]

    def __str__(self) -> str:
        return f"{self.book_id} {self.year}-{self.month:02d} {self.annual_rate}"
