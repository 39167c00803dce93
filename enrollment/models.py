"""The handling (经办) records: employers, insured people, enrolments, contributions,
personal accounts, transfers and referrals.

Every row belongs to a county (`ScopedModel`). People are one record city-wide,
held by their household handling unit; history rows (enrolments, declaration
lines, account postings) carry the county they were accounted to *at the time*,
so a person who moves keeps a history whose old rows still belong to the old
county's books. See `selectors.person_history` for the one deliberate
cross-county read.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pooling.kernel.choices import PersonCategory, Scheme, SpecialGroup
from pooling.kernel.codes import CREDIT_CODE_REGEX
from pooling.kernel.scoping import ScopedModel

REGION = "pooling.Region"
BOOKED_LATER = _("到账 %(received)s，计入 %(booked)s 归集")
PAID_BOOKED_LATER = _("缴费 %(received)s，计入 %(booked)s 归集")


def booking_note(message: object, day: date, booked: date | None) -> str:
    """What a page says when money was booked after the month it came in (recorded after
    that month's collection step ran, `settlement.cycle.booking`); "" when it was not."""
    if booked is None or booked <= day.replace(day=1):
        return ""
    return str(message) % {"received": f"{day:%Y-%m}", "booked": f"{booked:%Y-%m}"}


class EmployerStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    SUSPENDED = "suspended", _("暂停缴费")
    CLOSED = "closed", _("注销")


class Employer(ScopedModel):
    """参保单位, held by one handling unit (its county)."""

    county = models.ForeignKey(
        REGION, verbose_name=_("经办单位"), on_delete=models.PROTECT, related_name="employers"
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("单位名称"), max_length=100)
    industry = models.CharField(_("所属行业"), max_length=50, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=EmployerStatus.choices, default=EmployerStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("参保单位")
        verbose_name_plural = _("参保单位")
        ordering = ["county_id", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(credit_code__regex=CREDIT_CODE_REGEX),
                name="employer_credit_code_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.credit_code}）"


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Person(ScopedModel):
    """One insured person, city-wide, keyed by the resident ID number.

    `county` is the household handling unit; a move inside the city changes it
    through a completed Transfer, never by editing.
    """

    # No index of its own: a clerk's lists and searches read person_name_county_c
    # (migration 0004), which checks the county inside the index.
    county = models.ForeignKey(
        REGION,
        verbose_name=_("经办单位"),
        on_delete=models.PROTECT,
        related_name="people",
        db_index=False,
    )
    id_number = models.CharField(_("身份证号码"), max_length=18, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    category = models.CharField(_("人员类别"), max_length=20, choices=PersonCategory.choices)
    special_group = models.CharField(
        _("特殊群体"), max_length=10, choices=SpecialGroup.choices, blank=True, default=""
    )
    # Months paid before this system (imported from the old one; 视同缴费 included):
    # counted with the months recorded here towards the retiree requirement.
    prior_contribution_months = models.PositiveIntegerField(_("系统外累计缴费月数"), default=0)
    retired_on = models.DateField(_("退休日期"), null=True, blank=True)
    died_on = models.DateField(_("死亡日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    # Not indexed: nothing looks people up by who registered them, and every index is
    # paid again on each of a million imported rows.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("参保人员")
        verbose_name_plural = _("参保人员")
        ordering = ["name", "id_number"]
        indexes = [
            # person_search's byte-order indexes (name and id_number COLLATE "C") are
            # created for PostgreSQL only, in migration 0002: SQLite has no "C" collation.
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id_number__regex=r"^[0-9]{17}[0-9X]$"),
                name="person_id_number_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_number}）"

    @property
    def masked_id(self) -> str:
        return f"{self.id_number[:6]}********{self.id_number[-4:]}"

    @property
    def masked_name(self) -> str:
        """The surname's character only (张三 → 张*): what another county's clerk may read."""
        return self.name[:1] + "*" * max(len(self.name) - 1, 1)


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("参保缴费")
    SUSPENDED = "suspended", _("暂停缴费")
    ENDED = "ended", _("终止参保")


class Enrolment(ScopedModel):
    """A person's enrolment in one scheme, accounted to one county, from a month on.

    At most one active enrolment per person (a DB constraint): that is 避免重复参保 —
    nobody is active in employee and resident insurance at once.
    """

    county = models.ForeignKey(
        REGION, verbose_name=_("经办单位"), on_delete=models.PROTECT, related_name="enrolments"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("参保人"), on_delete=models.PROTECT, related_name="enrolments"
    )
    scheme = models.CharField(
        _("险种"),
        max_length=20,
        choices=[
            (Scheme.EMPLOYEE.value, Scheme.EMPLOYEE.label),
            (Scheme.RESIDENT.value, Scheme.RESIDENT.label),
        ],
    )
    employer = models.ForeignKey(
        Employer,
        verbose_name=_("参保单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    start_month = models.DateField(_("参保起始月"))
    end_month = models.DateField(_("参保终止月"), null=True, blank=True)
    status = models.CharField(
        _("参保状态"),
        max_length=12,
        choices=EnrolmentStatus.choices,
        default=EnrolmentStatus.ACTIVE,
    )
    waiting_months = models.PositiveSmallIntegerField(_("待遇等待期（月）"), default=0)
    benefits_from = models.DateField(_("待遇享受起始日"), null=True, blank=True)
    # Why it was last suspended or ended (a clerk must say; a transfer says so itself).
    status_reason = models.CharField(_("暂停或终止原因"), max_length=200, blank=True, db_default="")
    # Set when this enrolment continues one ended by a transfer (关系接续).
    continues = models.OneToOneField(
        "self",
        verbose_name=_("接续自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="continued_by",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("参保登记")
        verbose_name_plural = _("参保登记")
        ordering = ["person_id", "start_month"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="active"),
                name="one_active_enrolment_per_person",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(scheme="employee", employer__isnull=False)
                    | models.Q(scheme="resident", employer__isnull=True)
                ),
                name="employee_enrolment_has_employer",
            ),
            models.CheckConstraint(
                condition=models.Q(end_month__isnull=True)
                | models.Q(end_month__gte=models.F("start_month")),
                name="enrolment_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["county", "status"], name="enrolment_county_status")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.get_scheme_display()} {self.start_month:%Y-%m}"


class DeclarationStatus(models.TextChoices):
    DECLARED = "declared", _("已申报待到账")
    PARTIAL = "partial", _("部分到账")
    PAID = "paid", _("已足额到账")


class Declaration(ScopedModel):
    """An employer's monthly contribution declaration (缴费申报), one per employer and month."""

    county = models.ForeignKey(
        REGION, verbose_name=_("经办单位"), on_delete=models.PROTECT, related_name="declarations"
    )
    employer = models.ForeignKey(
        Employer, verbose_name=_("参保单位"), on_delete=models.PROTECT, related_name="declarations"
    )
    month = models.DateField(_("费款所属期"))
    total_fen = models.BigIntegerField(_("应缴合计（分）"), default=0)
    paid_fen = models.BigIntegerField(_("已到账（分）"), default=0)
    status = models.CharField(
        _("到账状态"),
        max_length=12,
        choices=DeclarationStatus.choices,
        default=DeclarationStatus.DECLARED,
    )
    created_at = models.DateTimeField(_("申报时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("缴费申报")
        verbose_name_plural = _("缴费申报")
        ordering = ["-month", "employer_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "month"], name="one_declaration_per_employer_month"
            ),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="declaration_month_is_first_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer_id} {self.month:%Y-%m}"

    @property
    def owed_fen(self) -> int:
        return max(self.total_fen - self.paid_fen, 0)


class DeclarationLine(ScopedModel):
    """One employee's contribution month: base clamped by policy, amounts per share.

    UniqueConstraint(person, scheme, month) across the whole city: a month is paid once,
    whichever county declares it — a transfer can never produce a duplicate month.
    """

    county = models.ForeignKey(
        REGION,
        verbose_name=_("经办单位"),
        on_delete=models.PROTECT,
        related_name="declaration_lines",
    )
    declaration = models.ForeignKey(
        Declaration, verbose_name=_("缴费申报"), on_delete=models.PROTECT, related_name="lines"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("参保人"), on_delete=models.PROTECT, related_name="declaration_lines"
    )
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("参保登记"),
        on_delete=models.PROTECT,
        related_name="declaration_lines",
    )
    scheme = models.CharField(_("险种"), max_length=20, default=Scheme.EMPLOYEE)
    month = models.DateField(_("费款所属期"))
    declared_base_fen = models.BigIntegerField(_("申报工资基数（分）"))
    base_fen = models.BigIntegerField(_("核定缴费基数（分）"))
    base_clamped = models.BooleanField(_("基数已按上下限调整"), default=False)
    employer_fen = models.BigIntegerField(_("单位缴费（分）"))
    employee_fen = models.BigIntegerField(_("个人缴费（分）"))
    maternity_fen = models.BigIntegerField(_("生育保险（分）"), default=0)
    account_fen = models.BigIntegerField(_("划入个人账户（分）"), default=0)

    class Meta:
        verbose_name = _("缴费申报明细")
        verbose_name_plural = _("缴费申报明细")
        ordering = ["month", "person_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "scheme", "month"], name="one_contribution_month"
            ),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="line_month_is_first_day"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    base_fen__gte=0, employer_fen__gte=0, employee_fen__gte=0, maternity_fen__gte=0
                ),
                name="line_amounts_not_negative",
            ),
        ]

    @property
    def total_fen(self) -> int:
        return self.employer_fen + self.employee_fen + self.maternity_fen


class Collection(ScopedModel):
    """Money received from the tax bureau (征缴到账), matched to a declaration."""

    county = models.ForeignKey(
        REGION, verbose_name=_("经办单位"), on_delete=models.PROTECT, related_name="collections"
    )
    tax_ref = models.CharField(_("税务到账流水号"), max_length=40, unique=True)
    employer = models.ForeignKey(
        Employer, verbose_name=_("参保单位"), on_delete=models.PROTECT, related_name="collections"
    )
    month = models.DateField(_("费款所属期"))
    amount_fen = models.BigIntegerField(_("到账金额（分）"))
    received_on = models.DateField(_("到账日期"))
    # The month whose collection step takes it in (`settlement.cycle.booking`): the month
    # received, or — recorded after that month's step ran — a later one. Null on rows
    # recorded before the field existed: their month received.
    booked_month = models.DateField(_("计入归集月份"), null=True, blank=True)
    declaration = models.ForeignKey(
        Declaration,
        verbose_name=_("对应申报"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="collections",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    @property
    def booking_note(self) -> str:
        """ "到账 2026-03，计入 2026-04 归集" when booked after the month received, else ""."""
        return booking_note(BOOKED_LATER, self.received_on, self.booked_month)

    class Meta:
        verbose_name = _("征缴到账")
        verbose_name_plural = _("征缴到账")
        ordering = ["-received_on", "tax_ref"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_fen__gt=0), name="collection_positive"
            ),
        ]


class ResidentContribution(ScopedModel):
    """A resident's individual contribution for one year (居民个人缴费)."""

    county = models.ForeignKey(
        REGION,
        verbose_name=_("经办单位"),
        on_delete=models.PROTECT,
        related_name="resident_contributions",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("参保人"),
        on_delete=models.PROTECT,
        related_name="resident_contributions",
    )
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("参保登记"),
        on_delete=models.PROTECT,
        related_name="resident_contributions",
    )
    year = models.PositiveSmallIntegerField(_("缴费年度"))
    standard_fen = models.BigIntegerField(_("个人缴费标准（分）"))
    subsidy_fen = models.BigIntegerField(_("特殊群体资助（分）"), default=0)
    paid_fen = models.BigIntegerField(_("个人实缴（分）"))
    paid_on = models.DateField(_("缴费日期"))
    # As `Collection.booked_month`: the month paid, or a later one if recorded late.
    booked_month = models.DateField(_("计入归集月份"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    @property
    def booking_note(self) -> str:
        """ "缴费 2026-03，计入 2026-04 归集" when booked after the month paid, else ""."""
        return booking_note(PAID_BOOKED_LATER, self.paid_on, self.booked_month)

    class Meta:
        verbose_name = _("居民个人缴费")
        verbose_name_plural = _("居民个人缴费")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year"], name="one_resident_contribution_per_year"
            ),
            models.CheckConstraint(
                condition=models.Q(paid_fen__gte=0, subsidy_fen__gte=0),
                name="resident_contribution_not_negative",
            ),
        ]


class PersonalAccount(ScopedModel):
    """A person's account (个人账户): the sub-ledger's one row per person.

    `balance_fen` is maintained by `enrollment.services.subledger` in the same statement
    batch that writes the postings, under the person's row lock, so a payment checks it
    without summing history; `manage.py reconcile` proves it equals the postings, and
    the database refuses it below zero.
    """

    scope_paths = ("person__county",)

    person = models.OneToOneField(
        Person, verbose_name=_("参保人"), on_delete=models.PROTECT, related_name="account"
    )
    balance_fen = models.BigIntegerField(_("余额（分）"), default=0)
    opened_at = models.DateTimeField(_("开户时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("个人账户")
        verbose_name_plural = _("个人账户")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance_fen__gte=0), name="personal_account_not_negative"
            ),
        ]


class PostingKind(models.TextChoices):
    ALLOCATION = "allocation", _("划入")
    RETIREE_ALLOCATION = "retiree_allocation", _("退休人员划入")
    PAYMENT = "payment", _("支付")
    PAYMENT_REFUND = "payment_refund", _("支付退回")
    TRANSFER_OUT = "transfer_out", _("转出")
    TRANSFER_IN = "transfer_in", _("转入")


# Kinds that put money into the account; the others take it out. Within a kind every
# posting has the same sign (a database constraint), so a batch of one kind never sums to 0.
INTO_ACCOUNT = (
    PostingKind.ALLOCATION,
    PostingKind.RETIREE_ALLOCATION,
    PostingKind.TRANSFER_IN,
    PostingKind.PAYMENT_REFUND,
)


class AccountBatch(ScopedModel):
    """Postings of one county, month and kind matched, in one transaction, by one entry
    of the funds ledger whose key is this batch's key (retiree allocations: one entry in
    each book, the pooled one keyed `<key>:pooled`). Immutable once written."""

    county = models.ForeignKey(
        REGION, verbose_name=_("经办单位"), on_delete=models.PROTECT, related_name="account_batches"
    )
    month = models.DateField(_("所属月份"))
    kind = models.CharField(_("类型"), max_length=20, choices=PostingKind.choices)
    key = models.CharField(_("汇总入账键"), max_length=200, unique=True)
    posted_at = models.DateTimeField(_("入账时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("个人账户汇总入账批次")
        verbose_name_plural = _("个人账户汇总入账批次")
        ordering = ["-month", "county_id", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="account_batch_month_is_first_day"
            ),
        ]

    def __str__(self) -> str:
        return self.key


class AccountPosting(ScopedModel):
    """An immutable movement of a personal account, accounted to the county the person
    belonged to when it was written (a transfer moves the balance with a pair of postings).

    Immutable on PostgreSQL (migration 0007): the one change allowed is matching it to a
    batch, once (`batch` from empty to set).
    """

    # No index of its own (migration 0015): a county's postings are looked for unmatched,
    # through posting_unmatched; every other read groups the whole table.
    county = models.ForeignKey(
        REGION,
        verbose_name=_("经办单位"),
        on_delete=models.PROTECT,
        related_name="account_postings",
        db_index=False,
    )
    account = models.ForeignKey(
        PersonalAccount,
        verbose_name=_("个人账户"),
        on_delete=models.PROTECT,
        related_name="postings",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=PostingKind.choices)
    month = models.DateField(_("所属月份"))
    amount_fen = models.BigIntegerField(_("金额（分）"))  # + into the account, − out of it
    # Deterministic key (alloc:<id number>:<2026-03>, a settlement's id): the movement's
    # identity. The same key with the same payload is the posting already there; with
    # another payload it is refused (payload_hash, as in the funds ledger).
    key = models.CharField(_("幂等键"), max_length=200, unique=True)
    payload_hash = models.CharField(_("内容摘要"), max_length=64)
    memo = models.CharField(_("摘要"), max_length=200, blank=True)
    batch = models.ForeignKey(
        AccountBatch,
        verbose_name=_("汇总入账批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="postings",
    )
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("个人账户记账")
        verbose_name_plural = _("个人账户记账")
        ordering = ["account_id", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind__in=INTO_ACCOUNT, amount_fen__gt=0)
                    | (~models.Q(kind__in=INTO_ACCOUNT) & models.Q(amount_fen__lt=0))
                ),
                name="posting_sign_follows_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="posting_month_is_first_day"
            ),
        ]
        indexes = [
            # What a sweep looks for: the unmatched postings of one county and month.
            models.Index(
                fields=["county", "month"],
                condition=models.Q(batch__isnull=True),
                name="posting_unmatched",
            ),
        ]


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("待转出地确认")
    COMPLETED = "completed", _("已办结")
    OBJECTED = "objected", _("转出地不同意")
    CANCELLED = "cancelled", _("已撤销")


class Transfer(ScopedModel):
    """A move inside the city (关系转移接续), seen by both counties.

    The receiving county opens it with its ground (an employee's new employer registered
    there, or a resident's new address); the sending county confirms the release (转出确认),
    which completes the move, or objects with a reason. If it does neither by `release_due`,
    the transfers job completes it: silence is consent, an objection is not.
    """

    scope_paths = ("from_county", "to_county")

    person = models.ForeignKey(
        Person, verbose_name=_("参保人"), on_delete=models.PROTECT, related_name="transfers"
    )
    from_county = models.ForeignKey(
        REGION,
        verbose_name=_("转出经办单位"),
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    to_county = models.ForeignKey(
        REGION,
        verbose_name=_("转入经办单位"),
        on_delete=models.PROTECT,
        related_name="transfers_in",
    )
    effective_month = models.DateField(_("转入起始月"))
    reason = models.CharField(_("转移原因"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    # The ground: an employee's new employer (registered in to_county), a resident's new address.
    new_employer = models.ForeignKey(
        Employer,
        verbose_name=_("转入地参保单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    new_address = models.CharField(_("转入地居住地址"), max_length=200, blank=True)
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    release_due = models.DateField(_("转出确认期限"), null=True, blank=True)
    released_at = models.DateTimeField(_("转出确认时间"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("转出确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    released_by_deadline = models.BooleanField(_("逾期未提异议自动确认"), default=False)
    objection = models.CharField(_("转出地异议理由"), max_length=200, blank=True)
    objected_at = models.DateTimeField(_("异议时间"), null=True, blank=True)
    objected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("异议人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancel_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("转移接续")
        verbose_name_plural = _("转移接续")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="pending"),
                name="one_pending_transfer_per_person",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_county=models.F("to_county")),
                name="transfer_between_two_counties",
            ),
            models.CheckConstraint(
                condition=models.Q(effective_month__day=1), name="transfer_month_is_first_day"
            ),
            # An objection always says why (the receiving county and the person are told).
            models.CheckConstraint(
                condition=~models.Q(status="objected") | ~models.Q(objection=""),
                name="transfer_objection_has_reason",
            ),
        ]

    def __str__(self) -> str:  # no name: both counties and the audit trail read it
        return f"{self._meta.verbose_name} #{self.pk}（{self.from_county.name}→{self.to_county.name}，{self.effective_month:%Y-%m}）"


class ReferralKind(models.TextChoices):
    REFERRAL = "referral", _("转诊转院")
    RESIDENT_ELSEWHERE = "resident_elsewhere", _("异地长期居住")
    TEMPORARY = "temporary", _("临时外出就医")


class ReferralStatus(models.TextChoices):
    APPLIED = "applied", _("已申请待审核")
    APPROVED = "approved", _("已备案")
    REJECTED = "rejected", _("不予备案")
    REVOKED = "revoked", _("已撤销")


class Referral(ScopedModel):
    """转诊 / 转外就医备案: the benefit calculator reads an approved, valid one."""

    county = models.ForeignKey(
        REGION, verbose_name=_("经办单位"), on_delete=models.PROTECT, related_name="referrals"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("参保人"), on_delete=models.PROTECT, related_name="referrals"
    )
    kind = models.CharField(_("备案类型"), max_length=20, choices=ReferralKind.choices)
    destination = models.CharField(_("就医地/转往医院"), max_length=100)
    destination_area_code = models.CharField(_("就医地行政区划代码"), max_length=6, blank=True)
    diagnosis = models.CharField(_("诊断/转诊理由"), max_length=200, blank=True)
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期止"))
    status = models.CharField(
        _("状态"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.APPLIED
    )
    applied_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_note = models.CharField(_("审核意见"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("转诊与转外就医备案")
        verbose_name_plural = _("转诊与转外就医备案")
        ordering = ["-applied_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")),
                name="referral_valid_period",
            ),
        ]


class DiseaseRegistrationStatus(models.TextChoices):
    APPLIED = "applied", _("已申请待认定")
    APPROVED = "approved", _("已认定")
    REJECTED = "rejected", _("不予认定")
    REVOKED = "revoked", _("已撤销")


class DiseaseRegistration(ScopedModel):
    """门慢/门特 待遇认定: a person's registration for one chronic or special outpatient disease.

    Settlement pays a disease's outpatient ratio only to a person with an approved
    registration valid on the date of care; anyone else is settled as ordinary
    outpatient care. The disease itself (its code, ratio and limit) is policy data.
    """

    county = models.ForeignKey(
        REGION,
        verbose_name=_("经办单位"),
        on_delete=models.PROTECT,
        related_name="disease_registrations",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("参保人"),
        on_delete=models.PROTECT,
        related_name="disease_registrations",
    )
    disease_code = models.CharField(_("病种编码"), max_length=20)
    disease_name = models.CharField(_("病种名称"), max_length=60)
    hospital = models.CharField(_("鉴定/诊断医院"), max_length=100, blank=True)
    evidence = models.CharField(_("诊断依据"), max_length=200, blank=True)
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期止"))
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=DiseaseRegistrationStatus.choices,
        default=DiseaseRegistrationStatus.APPLIED,
    )
    applied_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("认定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("认定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_note = models.CharField(_("认定意见"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("门诊慢特病待遇认定")
        verbose_name_plural = _("门诊慢特病待遇认定")
        ordering = ["-applied_at"]
        indexes = [models.Index(fields=["person", "disease_code"], name="disease_reg_person_code")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")),
                name="disease_registration_valid_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.disease_name}（{self.get_status_display()}）"
