"""3203 clearing application and 3204 its cancellation, over the national interface.

The hospital's settlements of last month (fen), clr_type 11 unless said:

  #  kind     clr  medfee  fund  account  cash
  1  settle   11    10000  6000     1000  3000
  2  settle   11     5000  2500        0  2500
  3  reverse  11    -5000 -2500        0 -2500   (cancels #2)
  4  settle   21    80000 70000        0 10000   (another clr_type: not in 11's figures)
  5  settle   11      700   400        0   300   (this month: not in last month's)

Last month's clr_type 11: person-times 2 − 1 = 1; medfee 10000 + 5000 − 5000 = 10000 (100.00);
fund 6000 + 2500 − 2500 = 6000 (60.00); account 1000 (10.00); cash 3000 + 2500 − 2500 = 3000 (30.00).
"""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.utils import timezone

from funds.models import Book
from funds.services import period_close
from funds.services.setup import books_ensure
from pooling.kernel.dates import add_months, month_end
from pooling.kernel.scoping import acting_for_provider, unrestricted
from settlement.models import ClearingApplication, ProviderMonthStatement, Settlement
from tests.actors import SETUP
from tests.providers.factories import make_provider
from tests.races import race
from tests.settlement.hsa_client import HsaClient, put_in_performance, refused

pytestmark = pytest.mark.django_db


def this_month() -> date:
    return timezone.localdate().replace(day=1)


def last_month() -> date:
    return add_months(this_month(), -1)


def settle(
    hsa, person, month, *, kind="settle", clr="11", medfee, fund, acct=0, cash
) -> Settlement:
    when = timezone.make_aware(datetime.combine(month.replace(day=3), time(10)))
    return Settlement.objects.create(
        month=month,
        kind=kind,
        provider=hsa.provider,
        person=person,
        insured_county=person.county,
        handling_unit=hsa.provider.handling_region,
        insutype="310",
        med_type="21" if clr == "21" else "11",
        clr_type=clr,
        scheme="employee",
        fund_book="employee_pooled",
        scope="outpatient",
        year=month.year,
        service_date=month,
        setl_time=when,
        policy_code="P",
        medfee_sumamt=medfee,
        hifp_pay=fund,
        fund_pay_sumamt=fund,
        acct_pay=acct,
        psn_cash_pay=cash,
    )


@pytest.fixture
def month(hsa, people):
    m, person = last_month(), people.employee
    with unrestricted():
        settle(hsa, person, m, medfee=10000, fund=6000, acct=1000, cash=3000)
        settle(hsa, person, m, medfee=5000, fund=2500, cash=2500)
        settle(hsa, person, m, kind="reverse", medfee=-5000, fund=-2500, cash=-2500)
        settle(hsa, person, m, clr="21", medfee=80000, fund=70000, cash=10000)
        settle(hsa, person, this_month(), medfee=700, fund=400, cash=300)
    return m


def application(month: date, **changes) -> dict:
    data = {
        "clr_type": "11",
        "clr_way": "1",
        "setlym": f"{month:%Y%m}",
        "psntime": "1",
        "medfee_sumamt": "100.00",
        "med_sumfee": "90.00",
        "fund_appy_sum": "60.00",
        "acct_pay": "10.00",
        "cash_payamt": "30.00",
        "begndate": f"{month:%Y-%m-%d}",
        "enddate": f"{month_end(month):%Y-%m-%d}",
    }
    data.update(changes)
    return {"data": {k: v for k, v in data.items() if v is not None}}


def rows() -> list[ClearingApplication]:
    with unrestricted():
        return list(ClearingApplication.objects.order_by("id"))


@pytest.fixture
def other(county_a, clerk_a, hsa):
    return HsaClient.signed_in(
        Client(), put_in_performance(make_provider(county_a, "他院")), issued_by=clerk_a
    )


def test_it_stores_an_application_whose_figures_agree(hsa, month):
    answer = hsa.post("3203", application(month))
    assert answer["infcode"] == 0, answer
    [row] = rows()
    assert answer["output"] == {"clr_appy_evt_id": str(row.pk)}
    assert (row.provider_id, row.month, row.clr_type, row.clr_way, row.status) == (
        hsa.provider.pk,
        month,
        "11",
        "1",
        "applied",
    )
    # the figures in fen, as stated and as ours (module docstring)
    assert (
        row.person_times,
        row.medfee_sumamt,
        row.fund_appy_sum,
        row.acct_pay,
        row.cash_payamt,
    ) == (1, 10000, 6000, 1000, 3000)
    assert row.med_sumfee == 9000 and row.msgid and row.applied_at is not None
    entry = LogEntry.objects.get_for_object(row).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.additional_data["system_actor"] == "settlement.hsa"


def test_it_names_each_differing_field_with_both_amounts_and_stores_nothing(hsa, month):
    answer = hsa.post(
        "3203", application(month, psntime="2", medfee_sumamt="100.01", acct_pay="9.99")
    )
    refused(
        answer,
        "3201/3202",
        "psntime（清算人次）机构 2，医保 1",
        "medfee_sumamt（医疗费总额）机构 100.01 元，医保 100.00 元",
        "acct_pay（个人账户支出）机构 9.99 元，医保 10.00 元",
    )
    assert "fund_appy_sum" not in answer["err_msg"] and "cash_payamt" not in answer["err_msg"]
    assert rows() == []


def test_it_compares_cash_and_the_fund_as_well(hsa, month):
    answer = hsa.post("3203", application(month, fund_appy_sum="60.10", cash_payamt="29.90"))
    refused(
        answer,
        "fund_appy_sum（基金申报总额）机构 60.10 元，医保 60.00 元",
        "cash_payamt（现金支付金额）机构 29.90 元，医保 30.00 元",
    )
    assert rows() == []


@pytest.mark.parametrize("months_ahead", [0, 1])
def test_it_refuses_the_current_or_a_future_month(hsa, month, months_ahead):
    target = add_months(this_month(), months_ahead)
    answer = hsa.post(
        "3203", application(target, begndate=None, enddate=None, psntime="0", medfee_sumamt="0")
    )
    refused(answer, "setlym", f"{target:%Y%m}", "尚未结束")
    assert rows() == []


@pytest.mark.parametrize("value", ["2024-02", "202413", "text", "2024020", "189912"])
def test_it_refuses_a_malformed_setlym_naming_the_field(hsa, month, value):
    refused(hsa.post("3203", application(month, setlym=value)), "setlym", "yyyyMM", value)
    assert rows() == []


def test_it_refuses_bounds_that_are_not_the_months_first_and_last_day(hsa, month):
    second = month.replace(day=2)
    answer = hsa.post("3203", application(month, begndate=f"{second:%Y-%m-%d}"))
    refused(answer, "begndate", f"{month:%Y-%m-%d}", f"{second:%Y-%m-%d}")
    assert rows() == []


def test_it_refuses_a_second_live_application_naming_the_first(hsa, month):
    first = hsa.post("3203", application(month))["output"]["clr_appy_evt_id"]
    refused(hsa.post("3203", application(month)), f"clr_appy_evt_id={first}", "3204")
    assert len(rows()) == 1
    # cancelled, the month can be applied for again
    assert hsa.post("3204", {"data": {"clr_appy_evt_id": first}})["infcode"] == 0
    again = hsa.post("3203", application(month))
    assert again["infcode"] == 0 and again["output"]["clr_appy_evt_id"] != first
    assert [r.status for r in rows()] == ["cancelled", "applied"]


def test_a_replayed_msgid_gets_the_same_answer(hsa, month):
    msgid = hsa.msgid()
    first = hsa.post("3203", application(month), msgid=msgid)
    assert first["infcode"] == 0
    assert hsa.post("3203", application(month), msgid=msgid)["output"] == first["output"]
    assert len(rows()) == 1
    cancel = {"data": {"clr_appy_evt_id": first["output"]["clr_appy_evt_id"]}}
    msgid = hsa.msgid()
    done = hsa.post("3204", cancel, msgid=msgid)
    assert done["output"]["clr_stas"] == "cancelled"
    assert hsa.post("3204", cancel, msgid=msgid)["output"] == done["output"]
    # another message to cancel it again is refused: it is cancelled already
    refused(hsa.post("3204", cancel), "已于")


def test_it_cancels_by_marking_the_row_and_audits_it(hsa, month):
    event = hsa.post("3203", application(month))["output"]["clr_appy_evt_id"]
    answer = hsa.post(
        "3204", {"data": {"clr_appy_evt_id": event, "setlym": f"{month:%Y%m}", "clr_type": "11"}}
    )
    assert answer["infcode"] == 0 and answer["output"] == {
        "clr_appy_evt_id": event,
        "clr_stas": "cancelled",
    }
    [row] = rows()
    assert row.status == "cancelled" and row.cancelled_at and row.cancel_msgid
    update = LogEntry.objects.get_for_object(row).get(action=LogEntry.Action.UPDATE)
    assert update.changes_dict["status"] == ["applied", "cancelled"]


def test_it_refuses_a_cancellation_naming_another_month_or_clr_type(hsa, month):
    event = hsa.post("3203", application(month))["output"]["clr_appy_evt_id"]
    earlier = add_months(month, -1)
    refused(
        hsa.post("3204", {"data": {"clr_appy_evt_id": event, "setlym": f"{earlier:%Y%m}"}}),
        "setlym",
    )
    refused(hsa.post("3204", {"data": {"clr_appy_evt_id": event, "clr_type": "21"}}), "clr_type")
    assert [r.status for r in rows()] == ["applied"]


def test_another_providers_id_is_refused_and_not_readable(hsa, month, other):
    event = hsa.post("3203", application(month))["output"]["clr_appy_evt_id"]
    answer = refused(other.post("3204", {"data": {"clr_appy_evt_id": event}}), "不存在")
    assert "100.00" not in answer["err_msg"]
    # the same answer as an id nobody holds: nothing tells the intruder the id exists
    unknown = refused(other.post("3204", {"data": {"clr_appy_evt_id": "999999"}}))
    assert unknown["err_msg"] == answer["err_msg"].replace(event, "999999")
    assert [r.status for r in rows()] == ["applied"]
    with acting_for_provider(other.provider.pk):
        assert not ClearingApplication.objects.exists()
    with acting_for_provider(hsa.provider.pk):
        assert ClearingApplication.objects.count() == 1


def test_it_refuses_a_cancellation_once_the_month_is_closed(hsa, month):
    event = hsa.post("3203", application(month))["output"]["clr_appy_evt_id"]
    for book in books_ensure(area_code="320900"):
        period_close(book=book, year=month.year, month=month.month, actor=SETUP)
    assert Book.objects.exists()
    refused(hsa.post("3204", {"data": {"clr_appy_evt_id": event}}), f"{month:%Y%m}", "不能再撤销")
    assert [r.status for r in rows()] == ["applied"]


def test_it_refuses_a_cancellation_once_the_cycle_stated_the_providers_month(hsa, month):
    event = hsa.post("3203", application(month))["output"]["clr_appy_evt_id"]
    with unrestricted():
        ProviderMonthStatement.objects.create(
            provider=hsa.provider, month=month, handling_unit=hsa.provider.handling_region
        )
    refused(hsa.post("3204", {"data": {"clr_appy_evt_id": event}}), "不能再撤销")
    assert [r.status for r in rows()] == ["applied"]


def test_the_month_page_shows_applications_to_the_providers_county_only(
    hsa, month, clerk_a, clerk_b, client_for
):
    assert hsa.post("3203", application(month))["infcode"] == 0
    url = f"/settlement/cycle/{month:%Y-%m}/providers/"
    page = client_for(clerk_a).get(url).content.decode()
    assert hsa.provider.name in page and "已申请" in page and "100.00" in page
    other = client_for(clerk_b).get(url).content.decode()
    assert hsa.provider.name not in other


def test_the_month_page_names_the_clearing_category_in_the_readers_language(
    hsa, month, clerk_a, client_for
):
    assert hsa.post("3203", application(month))["infcode"] == 0  # clr_type 11
    url = f"/settlement/cycle/{month:%Y-%m}/providers/"
    client = client_for(clerk_a)
    assert "<td>11 门诊</td>" in client.get(url).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert "<td>11 Outpatient</td>" in english and "11 门诊" not in english
    # The summary line is joined with · in either language, not Chinese semicolons.
    summary = english.split('<p class="muted">', 1)[1].split("</p>", 1)[0]
    assert "；" not in summary and "Unit: yuan." in summary


@pytest.mark.django_db(transaction=True)
def test_racing_applications_keep_one_and_name_it_to_the_others(hsa, month):
    """Check-then-insert loses a race; the partial unique index is the guard and its clash the
    message naming the application that won (PostgreSQL: SQLite runs one writer at a time)."""
    from django.db import transaction

    from pooling.kernel.errors import BusinessRuleError
    from pooling.kernel.permissions import HSA_GATEWAY
    from settlement.services.clearing import Stated, clearing_apply

    # PostgreSQL only: tests/settlement/test_sqlite_settlement.py deselects it on SQLite.
    stated = Stated(month, "11", "1", 1, 10000, 9000, 6000, 1000, 3000)
    threads = 4

    def apply(i: int) -> str:
        with acting_for_provider(hsa.provider.pk), transaction.atomic():
            return clearing_apply(
                provider=hsa.provider, stated=stated, msgid=f"M{i}", opter="", actor=HSA_GATEWAY
            ).event_id

    results = race(apply, threads)
    [won] = [r for r in results if isinstance(r, str)]
    lost = [r for r in results if not isinstance(r, str)]
    assert len(lost) == threads - 1
    for exc in lost:
        assert isinstance(exc, BusinessRuleError) and exc.code == "clearing_twice", exc
        assert f"clr_appy_evt_id={won}" in exc.text("zh-hans")
    assert [r.event_id for r in rows()] == [won]
