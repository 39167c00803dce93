"""1101 person information: who the person is and in which schemes they are insured."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from enrollment.models import Enrolment
from pooling.kernel.scoping import unrestricted
from settlement.hsa.codes import insutype_of
from settlement.hsa.dispatch import Context, register
from settlement.hsa.envelope import money
from settlement.hsa.people import baseinfo, person_from
from settlement.services import account

STATUS = {"active": "1", "suspended": "2", "ended": "4"}


@register("1101", "人员信息获取", writes=False)
def person_info(ctx: Context) -> dict[str, Any]:
    person = person_from(ctx.data)
    with unrestricted():
        enrolments = list(
            Enrolment.objects.filter(person_id=person.pk)
            .select_related("employer")
            .order_by("-start_month")
        )
    balance = account.balance(person=person)
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
            "emp_name": e.employer.name if e.employer else "",
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
