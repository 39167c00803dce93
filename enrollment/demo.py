"""Demo data for the handling app: employers and ~20 people in two counties of the demo city
(its demo file's "enrollment" section: 亭湖区 and 盐都区 for 盐城, 湖滨区 and 陕州区 for 三门峡), with
enrolments, three months of declarations (two paid, allocated to the personal accounts),
a resident year, one completed transfer, one awaiting its release and one approved referral; the accounts' postings
swept into the employee personal-account book. Idempotent: a second load changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import transaction

from enrollment import services
from enrollment.models import Employer, Person
from pooling.kernel.choices import Scheme
from pooling.kernel.codes import credit_code_from, id_number_from
from pooling.kernel.demo_city import demo_city
from pooling.kernel.hooks import DEMO_LOADERS
from pooling.kernel.permissions import DEMO_LOADER
from pooling.models import Region

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["建国", "秀英", "志强", "海燕", "明", "丽娟", "伟", "芳", "磊", "静"]
MONTHS = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]


def _credit(body: str) -> str:
    return credit_code_from((body + "00")[:17])


def _id_number(county: str, n: int) -> str:
    birth = date(1960 + n * 2, 1 + n % 12, 1 + n % 27)
    return id_number_from(f"{county}{birth:%Y%m%d}{100 + n * 2 + n % 2:03d}")


@DEMO_LOADERS.register
def load(echo: Callable[[str], None]) -> None:
    data = demo_city()["enrollment"]
    if Person.objects.filter(id_number=_id_number(data["counties"][0], 0)).exists():
        echo("经办演示数据已存在 / enrollment demo data already loaded")
        return
    with transaction.atomic():
        _load(data)
    echo(
        f"经办演示数据：{Employer.objects.count()} 家参保单位，{Person.objects.count()} 名参保人员 / "
        "enrollment demo data loaded"
    )


def _load(data: dict[str, Any]) -> None:
    first, second = data["counties"]
    counties = {c.code: c for c in Region.objects.filter(code__in=[first, second])}
    employers = [
        services.employer_register(
            county=counties[e["county"]],
            credit_code=_credit(e["credit_body"]),
            name=e["name"],
            industry=e["industry"],
            contact_name="人事专员",
            contact_phone=data["phone_prefix"] + str(1000 + i),
            actor=DEMO_LOADER,
        )
        for i, e in enumerate(data["employers"])
    ]
    people = []
    for n in range(20):
        county = first if n < 11 else second
        resident = n % 4 == 3
        person = services.person_register(
            county=counties[county],
            id_number=_id_number(county, n),
            name=SURNAMES[n] + GIVEN[n % len(GIVEN)],
            category="resident_adult" if resident else "in_service",
            phone=f"{data['mobile_prefix']}{n:04d}",
            special_group="dibao" if n == 7 else "",
            actor=DEMO_LOADER,
        )
        people.append(person)
        if resident:
            services.enrol(
                person=person, scheme=Scheme.RESIDENT, start_month=MONTHS[0], actor=DEMO_LOADER
            )
            services.resident_contribution_record(
                person=person, year=2026, paid_on=date(2026, 1, 10), actor=DEMO_LOADER
            )
            continue
        employer = [e for e in employers if e.county_id == county][n % 2]
        services.enrol(
            person=person,
            scheme=Scheme.EMPLOYEE,
            employer=employer,
            start_month=MONTHS[0],
            actor=DEMO_LOADER,
        )
    _declare(employers, people)
    _transfer_and_refer(people, counties[second], employers, data["referral"])
    # The personal accounts meet the funds books: each county's control account equals
    # the sum of its people's balances (manage.py reconcile).
    services.account_postings_sweep_all(until=date(2026, 4, 1), actor=DEMO_LOADER)


def _declare(employers: list[Employer], people: list[Person]) -> None:
    for i, month in enumerate(MONTHS):
        for employer in employers:
            rows = [
                (e.person, 380000 + 90000 * (e.person_id % 5))
                for e in employer.enrolments.filter(status="active").select_related("person")
            ]
            if not rows:
                continue
            result = services.declaration_submit(
                employer=employer, month=month, rows=rows, actor=DEMO_LOADER
            )
            if i < 2:  # January and February arrived; March is still owed (the arrears list)
                services.collection_record(
                    tax_ref=f"SW{employer.credit_code[-6:]}{month:%Y%m}",
                    credit_code=employer.credit_code,
                    month=month,
                    amount_fen=result.declaration.total_fen,
                    received_on=month.replace(day=20),
                    actor=DEMO_LOADER,
                )
        if i < 2:
            services.accounts_allocate_month(month=month, actor=DEMO_LOADER)


def _transfer_and_refer(
    people: list[Person], second: Region, employers: list[Employer], referral_to: dict[str, str]
) -> None:
    mover = people[0]  # works in the first county, moves to the second from April
    in_second = [e for e in employers if e.county_id == second.code]
    transfer = services.transfer_request(
        id_number=mover.id_number,
        to_county=second,
        effective_month=date(2026, 4, 1),
        new_employer=in_second[0],
        reason="工作调动",
        actor=DEMO_LOADER,
    )
    services.transfer_release(transfer=transfer, actor=DEMO_LOADER)
    patient = people[1]
    referral = services.referral_apply(
        person=patient,
        kind="referral",
        destination=referral_to["destination"],
        destination_area_code=referral_to["area_code"],
        diagnosis="冠状动脉粥样硬化性心脏病",
        valid_from=date(2026, 3, 1),
        valid_to=date(2026, 5, 31),
        actor=DEMO_LOADER,
    )
    services.referral_decide(
        referral=referral, approve=True, note="符合转诊条件", actor=DEMO_LOADER
    )
    # A pending transfer into the second county for the first county's clerk to release (or object to).
    services.transfer_request(
        id_number=people[4].id_number,
        to_county=second,
        effective_month=date(2026, 4, 1),
        new_employer=in_second[-1],
        reason="家庭搬迁",
        actor=DEMO_LOADER,
    )
