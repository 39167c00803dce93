"""Who and what may be settled on a date: the provider in performance, the person insured.

Read inside the settling transaction, after the person's row lock, so a death or an
ended enrolment recorded a moment earlier is seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enrollment.models import Enrolment, EnrolmentStatus, Person, Sex
from pooling.kernel import sqlrows
from pooling.kernel.choices import SCHEME_CATEGORIES, Scheme
from pooling.kernel.errors import BusinessRuleError
from pooling.kernel.scoping import unrestricted
from providers.models import Provider
from settlement.hsa.codes import MATERNITY_INSUTYPE, MATERNITY_MED_TYPES
from settlement.services import memo

PROVIDER_NOT_SETTLEABLE = _(
    "定点机构 %(code)s 在 %(on)s 不在协议履行期（未签协议、已暂停或已解除），不能结算"
)
DEAD = _("参保人 %(name)s 已于 %(died)s 死亡，%(on)s 的费用不能结算")
NOT_ENROLLED = _("参保人 %(name)s 在 %(on)s 没有有效的%(scheme)s参保记录")
SUSPENDED = _("参保人 %(name)s 的%(scheme)s参保状态为暂停缴费，暂停期间的费用不能结算")
WAITING = _("参保人 %(name)s 处于待遇等待期，%(from)s 起方可享受待遇（就医日期 %(on)s）")
FUTURE = _("%(field)s 的日期 %(on)s 晚于今天，不能结算未来的费用")
WRONG_CATEGORY = _("参保人 %(name)s 的人员类别“%(category)s”与险种“%(scheme)s”不符")
MATERNITY_ONLY = _(
    "险种 insutype=510（生育保险）只结算生育门诊或生育住院（med_type=51/52），不能按 med_type=%(med_type)s 结算"
)
NOT_MATERNAL = _("参保人 %(name)s 为男性，不能按生育医疗类别 med_type=%(med_type)s 结算")

SCHEME_LABELS: dict[str, str] = {Scheme.EMPLOYEE: "职工医保", Scheme.RESIDENT: "居民医保"}


@dataclass(frozen=True)
class Insured:
    person: Person
    enrolment: Enrolment
    category: str


def check_not_future(on: date, *, field: str) -> None:
    if on > timezone.localdate():
        raise BusinessRuleError(
            FUTURE, code="future", field=field, params={"field": field, "on": on.isoformat()}
        )


def check_provider(*, provider: Provider, on: date) -> None:
    """In performance on the service date `on` and today: care given while the agreement held is
    still not settled while the provider is suspended or after its agreement ended ("nothing is
    settled while suspended"; a suspended or terminated provider settles nothing)."""
    today = timezone.localdate()
    for day in (on,) if on == today else (on, today):
        if not memo.settleable(provider_code=provider.national_code, on=day):
            raise BusinessRuleError(
                PROVIDER_NOT_SETTLEABLE,
                code="provider_not_settleable",
                field="fixmedins_code",
                params={"code": provider.national_code, "on": day.isoformat()},
            )


def enrolments_covering(*, person_id: int, scheme: str, on: date) -> QuerySet[Enrolment]:
    """The person's enrolments in the scheme covering the date, the latest first (the first is the
    one in force). Read it inside `unrestricted()`: an enrolment accounted to a former county
    still covers care before the move."""
    return (
        Enrolment.objects.filter(person_id=person_id, scheme=scheme, start_month__lte=on)
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=on.replace(day=1)))
        .order_by("-start_month")
    )


def enrolment_covering(*, person_id: int, scheme: str, on: date) -> Enrolment | None:
    """The first of `enrolments_covering` — the same conditions and order — read by hand
    (pooling.kernel.sqlrows): every registration reads it, and compiling this one-row read through
    the ORM cost more CPU than PostgreSQL spends answering it. Read inside `unrestricted()`."""
    adapt = connection.ops.adapt_datefield_value
    rows = sqlrows.select(
        Enrolment,
        '"person_id" = %s AND "scheme" = %s AND "start_month" <= %s'
        ' AND ("end_month" IS NULL OR "end_month" >= %s)',
        [person_id, scheme, adapt(on), adapt(on.replace(day=1))],
        tail='ORDER BY "start_month" DESC LIMIT 1',
    )
    return rows[0] if rows else None


READ: Literal["read"] = "read"  # check_insured's `enrolment` when the caller has not read it


def check_insured(
    *, person: Person, scheme: str, on: date, enrolment: Enrolment | None | Literal["read"] = READ
) -> Insured:
    """The person is alive on the date, enrolled in the scheme then, and out of any waiting period.
    `enrolment`: the first of `enrolments_covering`, if the caller read it under the person's lock."""
    label = SCHEME_LABELS.get(scheme, scheme)
    if person.died_on is not None and on > person.died_on:
        raise BusinessRuleError(
            DEAD,
            code="dead",
            field="psn_no",
            params={"name": person.name, "died": person.died_on.isoformat(), "on": on.isoformat()},
        )
    if isinstance(enrolment, str):  # READ: not read yet
        with unrestricted():
            enrolment = enrolment_covering(person_id=person.pk, scheme=scheme, on=on)
    if enrolment is None:
        raise BusinessRuleError(
            NOT_ENROLLED,
            code="not_enrolled",
            field="insutype",
            params={"name": person.name, "on": on.isoformat(), "scheme": label},
        )
    if enrolment.status == EnrolmentStatus.SUSPENDED:
        raise BusinessRuleError(
            SUSPENDED,
            code="suspended",
            field="insutype",
            params={"name": person.name, "scheme": label},
        )
    if enrolment.benefits_from is not None and on < enrolment.benefits_from:
        raise BusinessRuleError(
            WAITING,
            code="waiting",
            field="psn_no",
            params={
                "name": person.name,
                "from": enrolment.benefits_from.isoformat(),
                "on": on.isoformat(),
            },
        )
    if person.category not in SCHEME_CATEGORIES.get(scheme, ()):
        raise BusinessRuleError(
            WRONG_CATEGORY,
            code="category",
            field="insutype",
            params={
                "name": person.name,
                "category": person.get_category_display(),
                "scheme": label,
            },
        )
    return Insured(person=person, enrolment=enrolment, category=person.category)


def check_maternity(*, person: Person, insutype: str, med_type: str) -> None:
    """Maternity care is a woman's, and the maternity scheme (510) pays maternity care only: any
    other med_type under it has no maternity benefit to settle (no prenatal or delivery sum)."""
    if insutype == MATERNITY_INSUTYPE and med_type not in MATERNITY_MED_TYPES:
        raise BusinessRuleError(
            MATERNITY_ONLY, code="maternity_only", field="med_type", params={"med_type": med_type}
        )
    if med_type in MATERNITY_MED_TYPES and person.sex == Sex.MALE:
        raise BusinessRuleError(
            NOT_MATERNAL,
            code="not_maternal",
            field="med_type",
            params={"name": person.name, "med_type": med_type},
        )
