"""A provider's system for tests: posts national-format messages with fresh msgids."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.test import Client
from django.utils import timezone

from enrollment.models import Enrolment, Person
from pooling.kernel.choices import PersonCategory, Scheme
from providers.choices import State
from providers.models import Agreement, AgreementTemplate, Provider, ProviderEvent
from tests.enrollment import factories as ef

_seq = itertools.count(1)


def put_in_performance(provider: Provider, since: date = date(2025, 1, 1)) -> Provider:
    template = AgreementTemplate.objects.filter(
        provider_kind=provider.kind
    ).first() or AgreementTemplate.objects.create(
        provider_kind=provider.kind,
        version=1,
        title="协议",
        body="正文",
        effective_from=date(2019, 1, 1),
        term_months=24,
    )
    Agreement.objects.create(
        provider=provider,
        template=template,
        number=f"{provider.national_code}-A",
        term_start=since,
        term_end=date(2027, 12, 31),
        signed_on=since,
    )
    ProviderEvent.objects.create(
        provider=provider,
        action="perform",
        from_state=State.PUBLISHED,
        to_state=State.PERFORMING,
        effective_on=since,
        reason="履约",
    )
    provider.state = State.PERFORMING
    provider.save(update_fields=["state"])
    return provider


@dataclass
class People:
    employee: Person
    resident: Person
    retiree: Person


def world_people(county_a: Any, county_b: Any, *, since: date) -> People:
    employer = ef.employer(county_a)
    employee = ef.person(county_a, "职工甲")
    Enrolment.objects.create(
        county=county_a,
        person=employee,
        scheme=Scheme.EMPLOYEE,
        employer=employer,
        start_month=since,
        benefits_from=since,
    )
    ef.posting(employee, 50000, month=since)
    retiree = ef.person(county_a, "退休乙", category=PersonCategory.RETIRED, birth=date(1955, 3, 1))
    Enrolment.objects.create(
        county=county_a,
        person=retiree,
        scheme=Scheme.EMPLOYEE,
        employer=employer,
        start_month=since,
        benefits_from=since,
    )
    resident = ef.person(
        county_b, "居民丙", category=PersonCategory.RESIDENT_ADULT, birth=date(1990, 7, 1)
    )
    Enrolment.objects.create(
        county=county_b,
        person=resident,
        scheme=Scheme.RESIDENT,
        start_month=since,
        benefits_from=since,
    )
    return People(employee=employee, resident=resident, retiree=retiree)


class HsaClient:
    def __init__(self, client: Client, provider: Provider, token: str) -> None:
        self.client = client
        self.provider = provider
        self.token = token
        self.sign_no = ""

    @classmethod
    def signed_in(cls, client: Client, provider: Provider, *, issued_by: Any) -> HsaClient:
        from settlement.services.credentials import credential_issue

        issued = credential_issue(provider=provider, label="HIS", actor=issued_by)
        hsa = cls(client, provider, issued.token)
        answer = hsa.post(
            "9001", {"signIn": {"opter_no": "001", "mac": "00-00", "ip": "127.0.0.1"}}
        )
        assert answer["infcode"] == 0, answer
        hsa.sign_no = answer["output"]["signinoutb"]["sign_no"]
        return hsa

    def msgid(self) -> str:
        return f"{self.provider.national_code}{timezone.localtime():%Y%m%d%H%M%S}{next(_seq) % 10000:04d}"

    def envelope(
        self, infno: str, payload: dict[str, Any], msgid: str | None = None
    ) -> dict[str, Any]:
        return {
            "infno": infno,
            "msgid": msgid or self.msgid(),
            "mdtrtarea_admvs": "320900",
            "insuplc_admdvs": "320900",
            "recer_sys_code": "HIS",
            "infver": "V1.0",
            "opter_type": "1",
            "opter": "001",
            "opter_name": "收费员",
            "inf_time": f"{timezone.localtime():%Y-%m-%d %H:%M:%S}",
            "fixmedins_code": self.provider.national_code,
            "fixmedins_name": self.provider.name,
            "sign_no": self.sign_no,
            "input": payload,
        }

    def post(
        self,
        infno: str,
        payload: dict[str, Any],
        *,
        msgid: str | None = None,
        body: dict[str, Any] | None = None,
        token: str | None = None,
    ) -> dict[str, Any]:
        response = self.client.post(
            "/api/hsa/",
            data=json.dumps(body or self.envelope(infno, payload, msgid)),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token or self.token}",
        )
        assert response["Content-Type"].startswith("application/json")
        return json.loads(response.content, parse_float=Decimal)

    # -- a typical outpatient visit ------------------------------------------------------
    def register(
        self,
        person: Person,
        *,
        insutype: str = "310",
        med_type: str = "11",
        begntime: str | None = None,
    ) -> str:
        begntime = begntime or f"{timezone.localtime():%Y-%m-%d} 08:30:00"
        answer = self.post(
            "2201",
            {
                "data": {
                    "psn_no": psn(person),
                    "insutype": insutype,
                    "med_type": med_type,
                    "begntime": begntime,
                    "mdtrt_cert_type": "02",
                    "mdtrt_cert_no": person.id_number,
                    "ipt_otp_no": "MZ1",
                }
            },
        )
        assert answer["infcode"] == 0, answer
        return answer["output"]["data"]["mdtrt_id"]

    def fees(
        self,
        mdtrt_id: str,
        person: Person,
        lines: list[tuple[str, str, str]],
        *,
        when: str | None = None,
    ) -> dict[str, Any]:
        when = when or f"{timezone.localtime():%Y-%m-%d} 09:00:00"
        rows = []
        for code, qty, price in lines:
            amount = (Decimal(qty) * Decimal(price)).quantize(Decimal("0.01"))
            rows.append(
                {
                    "feedetl_sn": f"F{next(_seq)}",
                    "mdtrt_id": mdtrt_id,
                    "psn_no": psn(person),
                    "chrg_bchno": "B1",
                    "fee_ocur_time": when,
                    "med_list_codg": code,
                    "medins_list_codg": code,
                    "det_item_fee_sumamt": str(amount),
                    "cnt": qty,
                    "pric": price,
                }
            )
        return self.post("2204", {"feedetail": rows})

    def stay(
        self, person: Person, lines: list[tuple[str, str, str]], *, insutype: str = "310"
    ) -> str:
        """2401 admitted three days ago → 2301 the lines (code, quantity, price in yuan) two days
        ago → 2402 discharged this morning: the stay's mdtrt_id, each step asserted accepted."""
        now = timezone.localtime()
        answer = self.post(
            "2401",
            {
                "mdtrtinfo": {
                    "psn_no": psn(person),
                    "insutype": insutype,
                    "med_type": "21",
                    "begntime": (now - timedelta(days=3)).strftime("%Y-%m-%d 10:00:00"),
                    "ipt_no": "ZY1",
                    "dise_codg": "I10",
                    "dise_name": "高血压",
                }
            },
        )
        assert answer["infcode"] == 0, answer
        mdtrt_id = answer["output"]["result"]["mdtrt_id"]
        rows = [
            {
                "feedetl_sn": f"Z{next(_seq)}",
                "mdtrt_id": mdtrt_id,
                "psn_no": psn(person),
                "chrg_bchno": "ZB",
                "fee_ocur_time": (now - timedelta(days=2)).strftime("%Y-%m-%d 09:00:00"),
                "med_list_codg": code,
                "det_item_fee_sumamt": str((Decimal(q) * Decimal(p)).quantize(Decimal("0.01"))),
                "cnt": q,
                "pric": p,
            }
            for code, q, p in lines
        ]
        answer = self.post("2301", {"feedetail": rows})
        assert answer["infcode"] == 0, answer
        answer = self.post(
            "2402",
            {
                "dscginfo": {
                    "mdtrt_id": mdtrt_id,
                    "psn_no": psn(person),
                    "insutype": insutype,
                    "endtime": now.strftime("%Y-%m-%d 08:00:00"),
                }
            },
        )
        assert answer["infcode"] == 0, answer
        return mdtrt_id

    def settle(
        self, mdtrt_id: str, person: Person, total: str, *, infno: str = "2207", **options: Any
    ) -> dict[str, Any]:
        """2207 (or `infno`); `options`: settle_payload's `acct`, `insutype`, `med_type`."""
        return self.post(infno, self.settle_payload(mdtrt_id, person, total, **options))

    def settle_payload(
        self,
        mdtrt_id: str,
        person: Person,
        total: str,
        *,
        acct: bool = False,
        insutype: str = "310",
        med_type: str = "11",
    ) -> dict[str, Any]:
        return {
            "data": {
                "psn_no": psn(person),
                "mdtrt_cert_type": "02",
                "mdtrt_cert_no": person.id_number,
                "med_type": med_type,  # the visit's: another is refused
                "medfee_sumamt": total,
                "psn_setlway": "01",
                "mdtrt_id": mdtrt_id,
                "chrg_bchno": "B1",
                "insutype": insutype,
                "acct_used_flag": "1" if acct else "0",
            }
        }


def psn(person: Person) -> str:
    from settlement.hsa.people import psn_no

    return psn_no(person)


def refused(answer: dict[str, Any], *words: str) -> dict[str, Any]:
    """A refusal in the interface's form (infcode -1, no output) whose message says `words`."""
    assert answer["infcode"] == -1, answer
    assert answer["output"] == {}
    for word in words:
        assert word in answer["err_msg"], answer["err_msg"]
    return answer
