"""Settlement rows for tests, and SCOPED_FACTORIES for the scoping matrix: each row is made in
county B (as insured county and handling unit) and shows its marker on its pages."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from pooling.models import Region, User
from settlement.models import (
    Accumulator,
    ClearingApplication,
    Credential,
    FeeDetail,
    MaternityAllowance,
    ProviderMonthStatement,
    ProviderStatement,
    Reimbursement,
    Settlement,
    SignIn,
    Visit,
)
from tests.enrollment import factories as ef
from tests.providers.factories import make_provider

_seq = itertools.count(1)
WHEN = timezone.make_aware(datetime(2026, 6, 3, 10, 0))
MONTH = date(2026, 6, 1)


def _issuer() -> User:
    return User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        f"issuer{next(_seq)}", password="x-pass-2026"
    )


def visit(county: Region, marker: str) -> Visit:
    person = ef.person(county, f"就诊{marker}")
    return Visit.objects.create(
        month=MONTH,
        provider=make_provider(county, marker),
        person=person,
        insured_county=county,
        handling_unit=county,
        insutype="310",
        med_type="11",
        begntime=WHEN,
        opened_msgid=f"M{next(_seq)}",
        main_diag_name=f"诊断{marker}",
    )


def fee(county: Region, marker: str) -> FeeDetail:
    v = visit(county, marker)
    return FeeDetail.objects.create(
        month=v.month,
        visit_id=v.pk,
        provider=v.provider,
        insured_county=county,
        handling_unit=county,
        feedetl_sn=f"F{next(_seq)}",
        code="001102000000100",
        name=f"项目{marker}",
        quantity=Decimal(1),
        price_fen=100,
        amount_fen=100,
        occurred_at=WHEN,
        cls="A",
    )


def settlement(county: Region, marker: str) -> Settlement:
    v = visit(county, marker)
    return Settlement.objects.create(
        month=MONTH,
        visit_id=v.pk,
        visit_month=v.month,
        provider=v.provider,
        person=v.person,
        insured_county=county,
        handling_unit=county,
        insutype="310",
        med_type="11",
        clr_type="11",
        scheme="employee",
        fund_book="employee_pooled",
        scope="outpatient",
        year=2026,
        service_date=WHEN.date(),
        setl_time=WHEN,
        policy_code="P",
        medfee_sumamt=100,
        reason=f"原因{marker}",
        detail={"explanation": [f"说明{marker}"]},
    )


def accumulator(county: Region, marker: str) -> Accumulator:
    return Accumulator.objects.create(
        person=ef.person(county, f"累计{marker}"),
        year=2026,
        scheme="employee",
        deductible_paid={},
        fund_paid={},
    )


def credential(county: Region, marker: str) -> Credential:
    return Credential.objects.create(
        provider=make_provider(county, marker),
        key_id=f"K{next(_seq):08d}",
        secret_sha256="0" * 64,
        label=f"密钥{marker}",
        issued_by=_issuer(),
    )


def sign_in(county: Region, marker: str) -> SignIn:
    c = credential(county, marker)
    return SignIn.objects.create(
        provider=c.provider,
        credential=c,
        sign_no=f"S{next(_seq)}",
        day=MONTH,
        opter_no=f"op{marker}",
        signed_in_at=WHEN,
    )


def statement(county: Region, marker: str) -> ProviderStatement:
    return ProviderStatement.objects.create(
        provider=make_provider(county, marker),
        kind="totals",
        begin=MONTH,
        end=MONTH,
        theirs={},
        ours={},
        agrees=True,
        differences=[{"memo": marker}],
        msgid=f"M{next(_seq)}",
    )


def reimbursement(county: Region, marker: str) -> Reimbursement:
    return Reimbursement.objects.create(
        county=county,
        person=ef.person(county, f"报销{marker}"),
        kind="local",
        insutype="310",
        med_type="11",
        hospital_name=f"医院{marker}",
        hospital_level="level2",
        begin_on=MONTH,
        entered_by=_issuer(),
    )


def allowance(county: Region, marker: str) -> MaternityAllowance:
    return MaternityAllowance.objects.create(
        county=county,
        person=ef.person(county, f"津贴{marker}", male=False),
        employer=ef.employer(county, f"单位{marker}"),
        event="birth",
        event_on=MONTH,
        leave_days=158,
        average_wage_fen=1,
        wage_basis=f"依据{marker}",
        amount_fen=1,
        payee="employer",
        policy_code="P",
        entered_by=_issuer(),
    )


def month_statement(county: Region, marker: str) -> ProviderMonthStatement:
    return ProviderMonthStatement.objects.create(
        provider=make_provider(county, marker),
        month=MONTH,
        handling_unit=county,
        differences=[{"memo": marker}],
    )


def clearing_application(county: Region, marker: str) -> ClearingApplication:
    return ClearingApplication.objects.create(
        provider=make_provider(county, marker),
        month=MONTH,
        clr_type="11",
        clr_way=f"方式{marker}"[:30],
        msgid=f"M{next(_seq)}",
        applied_at=WHEN,
    )


SCOPED_FACTORIES = {
    Visit: visit,
    FeeDetail: fee,
    Settlement: settlement,
    Accumulator: accumulator,
    Credential: credential,
    SignIn: sign_in,
    ProviderStatement: statement,
    Reimbursement: reimbursement,
    MaternityAllowance: allowance,
    ProviderMonthStatement: month_statement,
    ClearingApplication: clearing_application,
}
