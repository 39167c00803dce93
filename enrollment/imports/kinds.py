"""The handling app's bulk imports: employers, people, enrolments, declarations, collections.

Each kind checks its cells with `pooling.kernel.codes`, `pooling.kernel.dates` and
`enrollment.validators` (the same checks as the forms and the API), refuses rows of
another county, and writes in bulk — the workflow around it (preview, duplicates,
all-or-nothing) is `pooling.imports`.
People, the big files, go through PostgreSQL COPY (see `enrollment.imports.people_copy`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from enrollment import validators as v
from enrollment.models import (
    Collection,
    Employer,
    Enrolment,
    EnrolmentStatus,
    Person,
    SpecialGroup,
)
from enrollment.services.enrolment import EnrolRequest, enrol_many
from pooling.imports.kinds import (
    COUNTY_COLUMN,
    IMPORT_KINDS,
    Cells,
    Context,
    ImportKind,
    RowProblem,
    bulk_write,
    checked,
    chunked,
    county_of,
    parse_choice,
    parse_fen,
    required,
)
from pooling.kernel import codes, dates
from pooling.kernel.choices import Scheme
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.permissions import staff_user
from pooling.kernel.scoping import unrestricted
from pooling.tabular.reader import Column

PERSON_EXISTS = _("该身份证号码已登记参保人员，不能重复登记")
EMPLOYER_EXISTS = _("该统一社会信用代码已登记参保单位")
PERSON_NOT_FOUND = _("本经办单位没有身份证号码为 %(value)s 的参保人员，请先登记人员")
EMPLOYER_NOT_FOUND = _("本经办单位没有统一社会信用代码为 %(value)s 的参保单位，请先登记单位")
EMPLOYER_REQUIRED = _("职工医保参保必须填写参保单位的统一社会信用代码")
ALREADY_ENROLLED = _("该人员已有有效的参保登记（避免重复参保）")
COLLECTION_EXISTS = _("该税务到账流水号已登记")
ZERO_AMOUNT = _("到账金额必须大于 0")

# Cell lengths are the model's: the table reader refuses a longer cell with its row, column
# and the limit, so nothing is cut short on its way in. Codes, numbers and dates are
# half-width: the reader refuses １２３ (typed with a Chinese input method) there.
ID_COLUMN = Column(
    "id_number",
    gettext_noop("身份证号码"),
    aliases=("身份证号", "公民身份号码", "证件号码"),
    halfwidth=True,
)
CREDIT_COLUMN = Column(
    "credit_code",
    gettext_noop("统一社会信用代码"),
    aliases=("信用代码", "单位信用代码"),
    halfwidth=True,
)
MONTH_COLUMN = Column(
    "month", gettext_noop("费款所属期"), aliases=("所属期", "所属月份"), halfwidth=True
)


def _required_name(values: dict[str, str], key: str) -> str:
    value = values.get(key, "")
    if not value:
        raise RowProblem(key, v.BAD_NAME)
    return value


def _month(values: dict[str, str], key: str) -> date:
    return checked(values, key, dates.parse_month)


class EmployerKind(ImportKind):
    key = "employers"
    capability = "employer.manage"
    label = _("参保单位")
    columns = [
        CREDIT_COLUMN,
        Column("name", gettext_noop("单位名称"), max_length=100),
        COUNTY_COLUMN,
        Column("industry", gettext_noop("所属行业"), required=False, max_length=50),
        Column("contact_name", gettext_noop("联系人"), required=False, max_length=50),
        Column(
            "contact_phone", gettext_noop("联系电话"), required=False, max_length=20, halfwidth=True
        ),
        Column(
            "address", gettext_noop("地址"), aliases=("单位地址",), required=False, max_length=200
        ),
    ]

    def clean(self, values: dict[str, str], ctx: Context) -> tuple[str, Any]:
        cells = Cells(values)
        county = cells.take(county_of, ctx)
        code = cells.take(checked, "credit_code", codes.check_credit_code)
        name = cells.take(_required_name, "name")
        phone = cells.take(checked, "contact_phone", v.check_phone, optional=True)
        cells.done()
        return county, Employer(
            county_id=county,
            credit_code=code,
            name=name,
            industry=values.get("industry", ""),
            contact_name=values.get("contact_name", ""),
            contact_phone=phone or "",
            address=values.get("address", ""),
            created_by=staff_user(ctx.actor),
        )

    def unique_key(self, record: Employer) -> str:
        return record.credit_code

    def existing_column(self) -> str:
        return "credit_code"

    def existing_message(self) -> Any:
        return EMPLOYER_EXISTS

    def existing(self, keys: list[Any]) -> set[Any]:
        with unrestricted():  # a credit code is unique city-wide; say only "exists"
            return set(
                Employer.objects.filter(credit_code__in=keys).values_list("credit_code", flat=True)
            )

    def write(self, records: Iterator[Any], ctx: Context) -> int:
        return bulk_write(Employer, lambda e: e, records)

    def template_rows(self) -> list[list[str]]:
        return [
            [
                "91110108551385082Q",
                "盐城市示例制造有限公司",
                "320902",
                "制造业",
                "王会计",
                "0515-88886666",
                "盐城市亭湖区示例路1号",
            ]
        ]


class PersonKind(ImportKind):
    key = "people"
    capability = "person.register"
    label = _("参保人员")
    columns = [
        ID_COLUMN,
        Column("name", gettext_noop("姓名")),
        Column("category", gettext_noop("人员类别")),
        COUNTY_COLUMN,
        Column(
            "phone",
            gettext_noop("联系电话"),
            aliases=("手机号码", "电话"),
            required=False,
            max_length=20,
            halfwidth=True,
        ),
        Column(
            "address",
            gettext_noop("住址"),
            aliases=("地址", "户籍地址"),
            required=False,
            max_length=v.ADDRESS_MAX,
        ),
        Column("special_group", gettext_noop("特殊群体"), required=False),
        Column(
            "prior_months",
            gettext_noop("系统外累计缴费月数"),
            aliases=("视同缴费月数",),
            required=False,
            halfwidth=True,
        ),
    ]

    def clean(self, values: dict[str, str], ctx: Context) -> tuple[str, Any]:
        # A million rows: try the straight path first (the usual case, a good row);
        # only a row that fails it goes through the slower path that names every bad cell.
        try:
            return self._clean_fast(values, ctx)
        except (BusinessRuleError, RowProblem, KeyError, TypeError):
            return self._clean_each_cell(values, ctx)

    def _clean_fast(self, values: dict[str, str], ctx: Context) -> tuple[str, Any]:
        county = values.get("county") or ctx.own_county
        if county not in ctx.counties or (ctx.own_county is not None and county != ctx.own_county):
            raise KeyError(county)
        facts = codes.check_id_number(values["id_number"], today=ctx.cache["today"])
        memo = ctx.cache["memo:category"]
        category = memo[values["category"]][0]  # KeyError until first parsed by the slow path
        group = ctx.cache["memo:special_group"][values.get("special_group", "")][0]
        phone = values.get("phone", "")
        if phone:
            phone = v.check_phone(phone)
        address = values.get("address", "")
        months = values.get("prior_months", "")
        if category is None or group is None:
            raise TypeError
        name = v.check_name(values["name"])
        return county, (
            county,
            facts.id_number,
            name,
            facts.sex,
            facts.birth_date,
            phone,
            address,
            category,
            group,
            v.parse_prior_months(months),
        )

    def prepare(self, ctx: Context) -> None:
        from django.utils import timezone

        ctx.cache["today"] = timezone.localdate()
        ctx.cache["memo:category"] = {}
        ctx.cache["memo:special_group"] = {}

    def _clean_each_cell(self, values: dict[str, str], ctx: Context) -> tuple[str, Any]:
        cells = Cells(values)
        county = cells.take(county_of, ctx)
        facts = cells.take(checked, "id_number", codes.check_id_number)
        name = cells.take(checked, "name", v.check_name)
        category = cells.take(
            _memo, ctx, "category", lambda vals: checked(vals, "category", v.parse_category)
        )
        phone = cells.take(checked, "phone", v.check_phone, optional=True)
        address = values.get("address", "")
        group = cells.take(
            _memo,
            ctx,
            "special_group",
            lambda vals: parse_choice(vals, "special_group", SpecialGroup, optional=True),
        )
        months = cells.take(checked, "prior_months", v.parse_prior_months, optional=True) or 0
        cells.done()
        # A tuple, not a model: a million of them stream straight into COPY.
        return county, (
            county,
            facts.id_number,
            name,
            facts.sex,
            facts.birth_date,
            phone or "",
            address,
            category,
            group,
            months,
        )

    def bulk_check(self, batch: Any, ctx: Context, *, write: bool) -> int | None:
        # A clean CSV on PostgreSQL is screened and written set-wise; anything else
        # (or any doubt) goes row by row, which names each error.
        from enrollment.imports.people_sql import people_bulk

        return people_bulk(self, batch, ctx, write=write)

    # The unique index on id_number stands guard during the commit's COPY (which cannot
    # share its connection with lookups); a clash sends the workflow back to name the rows.
    existing_checked_by_database = True

    def unique_key(self, record: tuple) -> str:
        return record[1]

    def existing_column(self) -> str:
        return "id_number"

    def existing_message(self) -> Any:
        return PERSON_EXISTS

    def existing(self, keys: list[Any]) -> set[Any]:
        # Registered anywhere in the city counts (the message names no county), so no
        # county filter; one array parameter instead of thousands of IN placeholders.
        if connection.vendor != "postgresql":
            with unrestricted():
                return set(
                    Person.objects.filter(id_number__in=keys).values_list("id_number", flat=True)
                )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id_number FROM {Person._meta.db_table} WHERE id_number = ANY(%s)", [keys]
            )
            return {found for (found,) in cursor.fetchall()}

    def write(self, records: Iterator[Any], ctx: Context) -> int:
        if connection.vendor == "postgresql":
            from enrollment.imports.people_copy import copy_people
            from pooling.tabular.bulkload import indexes_set_aside, worth_setting_aside

            table = Person._meta.db_table
            if worth_setting_aside(table, ctx.expected_rows):  # a file as large as the register
                with indexes_set_aside(table):
                    return copy_people(records, created_by_id=ctx.actor.pk if ctx.actor else None)
            return copy_people(records, created_by_id=ctx.actor.pk if ctx.actor else None)
        return bulk_write(
            Person,
            lambda r: Person(
                county_id=r[0],
                id_number=r[1],
                name=r[2],
                sex=r[3],
                birth_date=r[4],
                phone=r[5],
                address=r[6],
                category=r[7],
                special_group=r[8],
                prior_contribution_months=r[9],
                created_by=staff_user(ctx.actor),
            ),
            records,
        )

    def template_rows(self) -> list[list[str]]:
        return [
            [
                "360426199101010071",
                "张三",
                "在职职工",
                "320902",
                "13800000000",
                "盐城市亭湖区",
                "",
                "0",
            ]
        ]


def _memo(values: dict[str, str], ctx: Context, key: str, parse: Any) -> Any:
    """Parse a cell with few distinct values (人员类别) once per value, not once per row:
    translating every choice label for each of a million rows is most of the cost."""
    memo = ctx.cache.setdefault(f"memo:{key}", {})
    value = values.get(key, "")
    if value not in memo:
        try:
            memo[value] = (parse(values), None)
        except RowProblem as problem:
            memo[value] = (None, problem)
    result, found = memo[value]
    if found is not None:
        raise found
    return result


class EnrolmentKind(ImportKind):
    key = "enrolments"
    capability = "enrolment.manage"
    label = _("参保登记")
    columns = [
        ID_COLUMN,
        Column("scheme", gettext_noop("险种")),
        Column("start_month", gettext_noop("参保起始月"), aliases=("起始月份",), halfwidth=True),
        Column(
            "credit_code",
            gettext_noop("统一社会信用代码"),
            aliases=("参保单位信用代码",),
            required=False,
            halfwidth=True,
        ),
        COUNTY_COLUMN,
    ]

    def clean(self, values: dict[str, str], ctx: Context) -> tuple[str, Any]:
        cells = Cells(values)
        county = cells.take(county_of, ctx)
        facts = cells.take(checked, "id_number", codes.check_id_number)
        scheme = cells.take(parse_choice, "scheme", _EnrolScheme)
        start = cells.take(_month, "start_month")
        code = cells.take(checked, "credit_code", codes.check_credit_code, optional=True)
        cells.done()
        person = _person(facts.id_number, county, ctx)
        employer = None
        if scheme == Scheme.EMPLOYEE:
            if not code:
                raise RowProblem("credit_code", EMPLOYER_REQUIRED)
            employer = _employer(code, county, ctx)
        if person.pk in ctx.cache["enrolled"]:
            raise RowProblem("id_number", ALREADY_ENROLLED)
        return county, EnrolRequest(person, scheme, start, employer)

    def prefetch(self, rows: list[dict[str, str]], ctx: Context) -> None:
        people = _prefetch_people(rows, ctx)
        with unrestricted():  # 避免重复参保 is city-wide: an active enrolment in any county counts
            ctx.cache["enrolled"] = set(
                Enrolment.objects.filter(
                    person_id__in=[p.pk for p in people], status=EnrolmentStatus.ACTIVE
                ).values_list("person_id", flat=True)
            )

    def unique_key(self, record: EnrolRequest) -> Any:
        return record.person.pk

    def existing_column(self) -> str:
        return "id_number"

    def write(self, records: Iterator[Any], ctx: Context) -> int:
        """Through the enrolment service's rules (waiting periods, overlap checks, category),
        a chunk at a time: a go-live file holds a city's enrolments, not a county's day."""
        return self._through_rules(records, ctx, dry_run=False)

    def rehearse(self, records: Iterator[Any], ctx: Context) -> None:
        self._through_rules(records, ctx, dry_run=True)

    def _through_rules(self, records: Iterator[Any], ctx: Context, *, dry_run: bool) -> int:
        return _in_chunks(
            records,
            ctx,
            self.chunk_size,
            lambda chunk, refuse: enrol_many(
                requests=chunk, actor=ctx.actor, refuse=refuse, dry_run=dry_run
            ),
            columns={"employer": "credit_code"},
        )

    def template_rows(self) -> list[list[str]]:
        return [
            ["360426199101010071", "职工基本医疗保险", "2026-01", "91110108551385082Q", "320902"]
        ]


class _EnrolScheme:
    choices = [
        (Scheme.EMPLOYEE.value, Scheme.EMPLOYEE.label),
        (Scheme.RESIDENT.value, Scheme.RESIDENT.label),
        (Scheme.EMPLOYEE.value, "职工医保"),
        (Scheme.RESIDENT.value, "居民医保"),
    ]


Refuse = Callable[[int, BusinessRuleError], None]


def _in_chunks(
    records: Iterable[Any],
    ctx: Context,
    size: int,
    write_chunk: Callable[[list[Any], Refuse], int],
    columns: dict[str, str] | None = None,
) -> int:
    """Hand the records to `write_chunk(records, refuse)` a chunk at a time; a refusal is
    reported against the file row its record came from."""
    written = 0
    # ctx.row is the row of the record just yielded (the workflow sets it before yielding).
    for chunk in chunked(((ctx.row, record) for record in records), size):

        def refuse(
            index: int, exc: BusinessRuleError, chunk: list[tuple[Any, Any]] = chunk
        ) -> None:
            ctx.row = chunk[index][0]
            ctx.refuse(exc, "id_number", columns)

        written += write_chunk([record for _row, record in chunk], refuse)
    return written


def _prefetch_people(rows: list[dict[str, str]], ctx: Context) -> list[Person]:
    """The people a chunk of rows names, by ID number, for `_person` (one query a chunk)."""
    numbers = {codes.normalize_code(row.get("id_number", "")) for row in rows}
    people = list(Person.objects.filter(id_number__in=numbers))
    ctx.cache["people"] = {p.id_number: p for p in people}
    return people


def _person(id_number: str, county: str, ctx: Context) -> Person:
    known = ctx.cache.get("people")
    if known is not None:  # prefetched for this chunk: absent means not in the caller's scope
        person = known.get(id_number)
        person = person if person is not None and person.county_id == county else None
    else:
        person = Person.objects.filter(id_number=id_number, county_id=county).first()
    if person is None:
        raise RowProblem("id_number", PERSON_NOT_FOUND, value=id_number)
    return person


def _employer(code: str, county: str, ctx: Context) -> Employer:
    cache = ctx.cache.setdefault("employers", {})
    if (code, county) not in cache:
        cache[(code, county)] = Employer.objects.filter(credit_code=code, county_id=county).first()
    employer = cache[(code, county)]
    if employer is None:
        raise RowProblem("credit_code", EMPLOYER_NOT_FOUND, value=code)
    return employer


class DeclarationKind(ImportKind):
    """缴费申报 lines: one employee's month with the declared wage base. The service clamps
    the base to the policy's limits and computes the shares; the declaration's totals
    are derived from its lines, never typed in."""

    key = "declarations"
    capability = "contribution.declare"
    label = _("缴费申报")
    columns = [
        CREDIT_COLUMN,
        MONTH_COLUMN,
        ID_COLUMN,
        Column(
            "base",
            gettext_noop("申报工资基数（元）"),
            aliases=("缴费基数", "工资基数", "申报工资基数"),
            halfwidth=True,
        ),
        COUNTY_COLUMN,
    ]

    def clean(self, values: dict[str, str], ctx: Context) -> tuple[str, Any]:
        cells = Cells(values)
        county = cells.take(county_of, ctx)
        code = cells.take(checked, "credit_code", codes.check_credit_code)
        month = cells.take(_month, "month")
        facts = cells.take(checked, "id_number", codes.check_id_number)
        base = cells.take(parse_fen, "base")
        cells.done()
        employer = _employer(code, county, ctx)
        person = _person(facts.id_number, county, ctx)
        return county, (employer, month, person, base)

    def prefetch(self, rows: list[dict[str, str]], ctx: Context) -> None:
        _prefetch_people(rows, ctx)

    def unique_key(self, record: tuple) -> Any:
        return (record[2].pk, record[1])

    def existing_column(self) -> str:
        return "id_number"

    def write(self, records: Iterator[Any], ctx: Context) -> int:
        """Through the declaration service's rules a chunk at a time (`declaration_lines_add_many`):
        a city's month is hundreds of thousands of lines."""
        return self._through_rules(records, ctx, dry_run=False)

    def rehearse(self, records: Iterator[Any], ctx: Context) -> None:
        self._through_rules(records, ctx, dry_run=True)

    def _through_rules(self, records: Iterator[Any], ctx: Context, *, dry_run: bool) -> int:
        from enrollment.services.contributions import LineRequest, declaration_lines_add_many

        return _in_chunks(
            (LineRequest(*record) for record in records),
            ctx,
            self.chunk_size,
            lambda chunk, refuse: declaration_lines_add_many(
                requests=chunk, actor=ctx.actor, refuse=refuse, dry_run=dry_run
            ),
            columns={"declared_base": "base", "person": "id_number"},
        )

    def template_rows(self) -> list[list[str]]:
        return [["91110108551385082Q", "2026-01", "360426199101010071", "6500.00", "320902"]]


class CollectionKind(ImportKind):
    """征缴到账 from the tax bureau's file, matched to the employer's declaration of that month."""

    key = "collections"
    capability = "contribution.collect"
    label = _("征缴到账")
    columns = [
        Column(
            "tax_ref",
            gettext_noop("税务到账流水号"),
            aliases=("流水号", "电子税票号"),
            max_length=40,
            halfwidth=True,
        ),
        CREDIT_COLUMN,
        MONTH_COLUMN,
        Column(
            "amount",
            gettext_noop("到账金额（元）"),
            aliases=("到账金额", "实缴金额"),
            halfwidth=True,
        ),
        Column("received_on", gettext_noop("到账日期"), aliases=("入库日期",), halfwidth=True),
        COUNTY_COLUMN,
    ]

    def clean(self, values: dict[str, str], ctx: Context) -> tuple[str, Any]:
        cells = Cells(values)
        county = cells.take(county_of, ctx)
        ref = cells.take(required, "tax_ref")
        code = cells.take(checked, "credit_code", codes.check_credit_code)
        month = cells.take(_month, "month")
        amount = cells.take(parse_fen, "amount")
        received = cells.take(checked, "received_on", dates.parse_past_date)
        if amount == 0:
            cells.problems.append(RowProblem("amount", ZERO_AMOUNT))
        cells.done()
        employer = _employer(code, county, ctx)
        return county, Collection(
            county_id=county,
            tax_ref=ref,
            employer=employer,
            month=month,
            amount_fen=amount,
            received_on=received,
            created_by=staff_user(ctx.actor),
        )

    def unique_key(self, record: Collection) -> str:
        return record.tax_ref

    def existing_column(self) -> str:
        return "tax_ref"

    def existing_message(self) -> Any:
        return COLLECTION_EXISTS

    def existing(self, keys: list[Any]) -> set[Any]:
        with unrestricted():
            return set(
                Collection.objects.filter(tax_ref__in=keys).values_list("tax_ref", flat=True)
            )

    def write(self, records: Iterator[Any], ctx: Context) -> int:
        """Through the collection service: it matches the declaration and moves its status."""
        from enrollment.services import collection_record
        from settlement.cycle.booking import county_lock

        rows = list(records)
        # The service takes each row's county booking lock, held until the file commits: take
        # them all first, in code order, so two files of several counties imported at once
        # wait for each other instead of deadlocking (file order differs between files).
        for county in sorted({c.county_id for c in rows}):
            county_lock(county)
        written = 0
        for c in rows:
            try:
                collection_record(
                    tax_ref=c.tax_ref,
                    credit_code=c.employer.credit_code,
                    month=c.month,
                    amount_fen=c.amount_fen,
                    received_on=c.received_on,
                    actor=ctx.actor,
                )
                written += 1
            except BusinessRuleError as exc:
                ctx.refuse(exc, "tax_ref")
        return written

    def template_rows(self) -> list[list[str]]:
        return [
            [
                "3209000000000001",
                "91110108551385082Q",
                "2026-01",
                "12345.60",
                "2026-02-10",
                "320902",
            ]
        ]


KINDS = [EmployerKind(), PersonKind(), EnrolmentKind(), DeclarationKind(), CollectionKind()]
for _kind in KINDS:
    IMPORT_KINDS.register(_kind)
