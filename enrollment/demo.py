"""Demo data for the handling app: employers and ~20 people in 亭湖区 and 盐都区, with
enrolments, three months of declarations (two paid, allocated to the personal accounts),
a resident year, one completed transfer, one awaiting its release and one approved referral; the accounts' postings
swept into the employee personal-account book. Idempotent: a second load changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.db import transaction

from enrollment import services
from enrollment.models import Employer, Person
from pooling.kernel.choices import Scheme
from pooling.kernel.codes import credit_code_from, id_number_from
from pooling.kernel.hooks import DEMO_LOADERS
from pooling.kernel.permissions import DEMO_LOADER
from pooling.models import Region

TINGHU, YANDU = "320902", "320903"
EMPLOYERS = [  # (county, body of the credit code, name, industry)
    (TINGHU, "91320902MA1MXA0", "盐城市亭湖精密机械有限公司", "制造业"),
    (TINGHU, "91320902MA1MXB0", "亭湖区新洋商贸有限公司", "批发和零售业"),
    (YANDU, "91320903MA1NYC0", "盐都区龙冈食品有限公司", "农副食品加工业"),
    (YANDU, "91320903MA1NYD0", "盐城市盐都教育科技有限公司", "教育"),
]
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
    if Person.objects.filter(id_number=_id_number(TINGHU, 0)).exists():
        echo("经办演示数据已存在 / enrollment demo data already loaded")
        return
    with transaction.atomic():
        _load()
    echo(f"经办演示数据：{Employer.objects.count()} 家参保单位，{Person.objects.count()} 名参保人员 / "
         "enrollment demo data loaded")


def _load() -> None:
    counties = {c.code: c for c in Region.objects.filter(code__in=[TINGHU, YANDU])}
    employers = [services.employer_register(county=counties[c], credit_code=_credit(body), name=name,
                                            industry=industry, contact_name="人事专员",
                                            contact_phone="0515-8888" + str(1000 + i), actor=DEMO_LOADER)
                 for i, (c, body, name, industry) in enumerate(EMPLOYERS)]
    people = []
    for n in range(20):
        county = TINGHU if n < 11 else YANDU
        resident = n % 4 == 3
        person = services.person_register(
            county=counties[county], id_number=_id_number(county, n),
            name=SURNAMES[n] + GIVEN[n % len(GIVEN)],
            category="resident_adult" if resident else "in_service", phone=f"1390515{n:04d}",
            special_group="dibao" if n == 7 else "", actor=DEMO_LOADER)
        people.append(person)
        if resident:
            services.enrol(person=person, scheme=Scheme.RESIDENT, start_month=MONTHS[0], actor=DEMO_LOADER)
            services.resident_contribution_record(person=person, year=2026, paid_on=date(2026, 1, 10),
                                                  actor=DEMO_LOADER)
            continue
        employer = [e for e in employers if e.county_id == county][n % 2]
        services.enrol(person=person, scheme=Scheme.EMPLOYEE, employer=employer, start_month=MONTHS[0],
                       actor=DEMO_LOADER)
    _declare(employers, people)
    _transfer_and_refer(people, counties, employers)
    # The personal accounts meet the funds books: each county's control account equals
    # the sum of its people's balances (manage.py reconcile).
    services.account_postings_sweep_all(until=date(2026, 4, 1), actor=DEMO_LOADER)


def _declare(employers: list[Employer], people: list[Person]) -> None:
    for i, month in enumerate(MONTHS):
        for employer in employers:
            rows = [(e.person, 380000 + 90000 * (e.person_id % 5))
                    for e in employer.enrolments.filter(status="active").select_related("person")]
            if not rows:
                continue
            result = services.declaration_submit(employer=employer, month=month, rows=rows, actor=DEMO_LOADER)
            if i < 2:  # January and February arrived; March is still owed (the arrears list)
                services.collection_record(tax_ref=f"SW{employer.credit_code[-6:]}{month:%Y%m}",
                                           credit_code=employer.credit_code, month=month,
                                           amount_fen=result.declaration.total_fen, received_on=month.replace(day=20),
                                           actor=DEMO_LOADER)
        if i < 2:
            services.accounts_allocate_month(month=month, actor=DEMO_LOADER)


def _transfer_and_refer(people: list[Person], counties: dict[str, Region], employers: list[Employer]) -> None:
    mover = people[0]  # works in 亭湖区, moves to 盐都区 from April
    transfer = services.transfer_request(id_number=mover.id_number, to_county=counties[YANDU],
                                         effective_month=date(2026, 4, 1), new_employer=employers[2],
                                         reason="工作调动", actor=DEMO_LOADER)
    services.transfer_release(transfer=transfer, actor=DEMO_LOADER)
    patient = people[1]
    referral = services.referral_apply(person=patient, kind="referral", destination="江苏省人民医院",
                                       destination_area_code="320106", diagnosis="冠状动脉粥样硬化性心脏病",
                                       valid_from=date(2026, 3, 1), valid_to=date(2026, 5, 31), actor=DEMO_LOADER)
    services.referral_decide(referral=referral, approve=True, note="符合转诊条件", actor=DEMO_LOADER)
    # A pending transfer into 盐都区 for the clerk in 亭湖区 to release (or object to) in the demo.
    services.transfer_request(id_number=people[4].id_number, to_county=counties[YANDU],
                              effective_month=date(2026, 4, 1), new_employer=employers[3],
                              reason="家庭搬迁", actor=DEMO_LOADER)
