"""1101 person information: who the person is and in which schemes they are insured."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from enrollment.models import Employer, Enrolment, PersonalAccount
from pooling.kernel import sqlrows
from pooling.kernel.scoping import unrestricted
from settlement.hsa.codes import insutype_of
from settlement.hsa.dispatch import Context, register
from settlement.hsa.envelope import money
from settlement.hsa.people import baseinfo, person_from

STATUS = {"active": "1", "suspended": "2", "ended": "4"}


@register("1101", "人员信息获取", writes=False)
def person_info(ctx: Context) -> dict[str, Any]:
    person = person_from(ctx.data)
    enrolments, employers, balance = _held(person.pk)
    today = timezone.localdate()
    insuinfo = [
        {
            "insutype": insutype_of(e.scheme),
            "psn_type": baseinfo(person)["psn_type"],
            "psn_insu_stas": STATUS.get(e.status, "4"),
            "psn_insu_date": e.start_month.isoformat(),
            "paus_insu_date": e.end_month.isoformat() if e.end_month else "",
            "benefits_from": e.benefits_from.isoformat() if e.benefits_from else "",
            "in_waiting_period": bool(e.benefits_from and e.benefits_from > today),
            "balc": money(balance if e.scheme == "employee" else 0),
            "cvlserv_flag": "0",
            "insuplc_admdvs": e.county_id,
            "emp_name": employers.get(e.employer_id, "") if e.employer_id else "",
        }
        for e in enrolments
    ]
    idetinfo = (
        [{"psn_idet_type": person.special_group, "begntime": "", "endtime": ""}]
        if person.special_group
        else []
    )
    return {
        "baseinfo": {
            **baseinfo(person),
            "died_on": person.died_on.isoformat() if person.died_on else "",
        },
        "insuinfo": insuinfo,
        "idetinfo": idetinfo,
    }


def _held(person_id: int) -> tuple[list[Enrolment], dict[int, str], int]:
    """The person's enrolments (latest first), their employers' names and the account's balance,
    wherever they are accounted (the person is what the provider asked about): read by hand
    (`sqlrows`) — 1101 comes before nearly every visit, and compiling its three ORM queries was
    more than half of its CPU."""
    with unrestricted():
        enrolments = sqlrows.select(
            Enrolment,
            '"enrollment_enrolment"."person_id" = %s',
            [person_id],
            tail='ORDER BY "enrollment_enrolment"."start_month" DESC',
        )
        ids = sorted({e.employer_id for e in enrolments if e.employer_id})
        employers = (
            {
                e.pk: e.name
                for e in sqlrows.select(
                    Employer, f'"enrollment_employer"."id" IN ({", ".join(["%s"] * len(ids))})', ids
                )
            }
            if ids
            else {}
        )
        accounts = sqlrows.select(
            PersonalAccount,
            '"enrollment_personalaccount"."person_id" = %s',
            [person_id],
            tail='ORDER BY "enrollment_personalaccount"."id" LIMIT 1',
        )
    return enrolments, employers, accounts[0].balance_fen if accounts else 0
