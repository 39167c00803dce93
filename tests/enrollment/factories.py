"""Rows for tests, consistent with each other (a person's enrolment, employer and
declaration all sit in the person's county).

SCOPED_FACTORIES: one `make(county, marker)` per ScopedModel of this app, for the
scoping matrix (tests/pooling/test_scoping_matrix.py): each creates a valid row in
`county` whose pages and API output show `marker`.
"""

from __future__ import annotations

import itertools
from datetime import date

from enrollment import models as m
from pooling.kernel.choices import PersonCategory, Scheme
from pooling.kernel.codes import CREDIT_ALPHABET, credit_code_from, id_number_from
from pooling.models import Region
from tests.actors import SETUP

_seq = itertools.count(1)


def make_id_number(
    *,
    area: str = "320902",
    birth: date = date(1980, 5, 17),
    male: bool = True,
    seq: int | None = None,
) -> str:
    n = next(_seq) if seq is None else seq
    order = (n * 2 + (1 if male else 0)) % 1000
    first17 = f"{area}{birth:%Y%m%d}{order:03d}"
    if seq is None and n >= 500:  # keep numbers unique past 500 by moving the birth day
        first17 = f"{area}{birth.replace(day=1 + n // 500 % 28):%Y%m%d}{order:03d}"
    return id_number_from(first17)


def make_credit_code() -> str:
    n = next(_seq)
    body = "91320902MA"
    tail = ""
    for _i in range(7):
        tail = CREDIT_ALPHABET[n % 31] + tail
        n //= 31
    return credit_code_from(body + tail)


def employer(county: Region, name: str = "盐城测试有限公司") -> m.Employer:
    return m.Employer.objects.create(
        county=county,
        credit_code=make_credit_code(),
        name=name,
        industry="制造业",
        contact_name="联系人",
        contact_phone="13800000000",
    )


def person(
    county: Region,
    name: str = "张三",
    *,
    category: str = PersonCategory.IN_SERVICE,
    birth: date = date(1980, 5, 17),
    male: bool = True,
    special_group: str = "",
) -> m.Person:
    number = make_id_number(area=county.code, birth=birth, male=male)
    return m.Person.objects.create(
        county=county,
        id_number=number,
        name=name,
        sex="M" if male else "F",
        birth_date=birth,
        category=category,
        special_group=special_group,
    )


def employee_enrolment(
    county: Region,
    name: str = "张三",
    *,
    start: date = date(2026, 1, 1),
    emp: m.Employer | None = None,
) -> m.Enrolment:
    emp = emp or employer(county)
    p = person(county, name)
    return m.Enrolment.objects.create(
        county=county,
        person=p,
        scheme=Scheme.EMPLOYEE,
        employer=emp,
        start_month=start,
        benefits_from=start,
    )


def _declaration(county: Region, marker: str) -> m.Declaration:
    emp = employer(county, f"申报单位{marker}")
    return m.Declaration.objects.create(
        county=county, employer=emp, month=date(2026, 1, 1), total_fen=93000
    )


def _line(county: Region, marker: str) -> m.DeclarationLine:
    enrolment = employee_enrolment(county, f"申报人{marker}")
    decl = m.Declaration.objects.create(
        county=county, employer=enrolment.employer, month=date(2026, 1, 1), total_fen=93000
    )
    return m.DeclarationLine.objects.create(
        county=county,
        declaration=decl,
        person=enrolment.person,
        enrolment=enrolment,
        month=date(2026, 1, 1),
        declared_base_fen=500000,
        base_fen=500000,
        employer_fen=35000,
        employee_fen=10000,
        maternity_fen=4000,
        account_fen=10000,
    )


def _collection(county: Region, marker: str) -> m.Collection:
    emp = employer(county, f"到账单位{marker}")
    return m.Collection.objects.create(
        county=county,
        tax_ref=f"TAX{next(_seq)}",
        employer=emp,
        month=date(2026, 1, 1),
        amount_fen=49000,
        received_on=date(2026, 2, 10),
    )


def _resident_contribution(county: Region, marker: str) -> m.ResidentContribution:
    p = person(county, f"居民{marker}", category=PersonCategory.RESIDENT_ADULT)
    enrolment = m.Enrolment.objects.create(
        county=county, person=p, scheme=Scheme.RESIDENT, start_month=date(2026, 1, 1)
    )
    return m.ResidentContribution.objects.create(
        county=county,
        person=p,
        enrolment=enrolment,
        year=2026,
        standard_fen=40000,
        paid_fen=40000,
        paid_on=date(2026, 1, 5),
    )


def _account(county: Region, marker: str) -> m.PersonalAccount:
    return m.PersonalAccount.objects.create(person=person(county, f"账户{marker}"))


def posting(
    p: m.Person,
    amount_fen: int = 10000,
    *,
    kind: str = m.PostingKind.ALLOCATION,
    month: date = date(2026, 1, 1),
    memo: str = "划入",
) -> m.AccountPosting:
    """A posting written the one way postings are written (the sub-ledger's writer)."""
    from enrollment.services.subledger import PostingSpec, posting_write

    return posting_write(
        spec=PostingSpec(
            person_id=p.pk,
            kind=kind,
            month=month,
            amount_fen=amount_fen,
            key=f"test:{next(_seq)}",
            memo=memo,
        ),
        actor=SETUP,
    )


def _posting(county: Region, marker: str) -> m.AccountPosting:
    return posting(person(county, f"账户{marker}"), memo=f"划入{marker}")


def _batch(county: Region, marker: str) -> m.AccountBatch:
    return m.AccountBatch.objects.create(
        county=county, month=date(2026, 1, 1), kind=m.PostingKind.PAYMENT, key=f"pa:test:{marker}"
    )


def _transfer(county: Region, marker: str) -> m.Transfer:
    # The receiving county is a third one, so neither test clerk of "the other county" sees it.
    other = (
        Region.objects.filter(parent_id=county.parent_id, level=county.level)
        .exclude(code__in=[county.code, "320902", "320903"])
        .first()
    )
    assert other is not None
    return m.Transfer.objects.create(
        person=person(county, f"转移{marker}"),
        from_county=county,
        to_county=other,
        effective_month=date(2026, 3, 1),
    )


def _referral(county: Region, marker: str) -> m.Referral:
    return m.Referral.objects.create(
        county=county,
        person=person(county, f"备案{marker}"),
        kind=m.ReferralKind.REFERRAL,
        destination=f"南京鼓楼医院{marker}",
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 3, 31),
    )


def _disease_registration(county: Region, marker: str) -> m.DiseaseRegistration:
    return m.DiseaseRegistration.objects.create(
        county=county,
        person=person(county, f"慢病{marker}"),
        disease_code="M03900",
        disease_name=f"高血压{marker}",
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
    )


SCOPED_FACTORIES = {
    m.Employer: lambda county, marker: employer(county, f"单位{marker}"),
    m.Person: lambda county, marker: person(county, f"人员{marker}"),
    m.Enrolment: lambda county, marker: employee_enrolment(county, f"参保{marker}"),
    m.Declaration: _declaration,
    m.DeclarationLine: _line,
    m.Collection: _collection,
    m.ResidentContribution: _resident_contribution,
    m.PersonalAccount: _account,
    m.AccountPosting: _posting,
    m.AccountBatch: _batch,
    m.Transfer: _transfer,
    m.Referral: _referral,
    m.DiseaseRegistration: _disease_registration,
}
