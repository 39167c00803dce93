"""The run pages: start from the page (eager Celery), progress as JSON, errors and resume,
buttons only for those allowed, a county clerk seeing only their county's shards."""

from __future__ import annotations

import pytest

from settlement.models import CycleRun, CycleStatus
from tests.settlement.cycle import fake_steps
from tests.settlement.cycle.runner_world import FAKE_STEPS, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings, regions):
    settings.POOLING_CYCLE_STEPS = FAKE_STEPS
    world()
    yield
    fake_steps.BREAK.clear()


def test_finance_starts_a_month_from_the_page_and_watches_it_finish(
    fake, finance, client_for, django_capture_on_commit_callbacks
):
    client = client_for(finance)
    page = client.get("/settlement/cycle/").content.decode()
    assert 'id="start-run"' in page and 'id="start-adjustment"' in page and "confirm(" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/settlement/cycle/start/", {"month": "2026-03"})
    run = CycleRun.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/settlement/cycle/runs/{run.pk}/"
    )
    progress = client.get(f"/settlement/cycle/runs/{run.pk}/progress/").json()
    assert progress["status"] == CycleStatus.DONE and progress["percent"] == 100
    assert [(s["name"], s["done"], s["total"]) for s in progress["steps"]] == [
        ("gather", len(fake_steps.counties()), len(fake_steps.counties())),
        ("spread", 1, 1),
    ]
    detail = client.get(f"/settlement/cycle/runs/{run.pk}/").content.decode()
    assert "归集（测试）" in detail and 'id="run-bar"' in detail and "记账凭证 2" in detail


def test_a_failed_run_says_what_went_wrong_and_who_may_resume_it(
    fake, finance, auditor, client_for, django_capture_on_commit_callbacks
):
    fake_steps.BREAK.add("320903")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(finance).post("/settlement/cycle/start/", {"month": "2026-03"})
    run = CycleRun.objects.get()
    assert run.status == CycleStatus.FAILED
    page = client_for(finance).get(f"/settlement/cycle/runs/{run.pk}/").content.decode()
    assert "数据有误" in page and "续跑" in page and 'id="resume-run"' in page
    assert (
        'id="resume-run"'
        not in client_for(auditor).get(f"/settlement/cycle/runs/{run.pk}/").content.decode()
    )
    fake_steps.BREAK.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(finance).post(f"/settlement/cycle/runs/{run.pk}/resume/")
    run.refresh_from_db()
    assert run.status == CycleStatus.DONE


def test_a_clerk_sees_the_run_but_only_their_own_county_and_no_buttons(
    fake, finance, clerk_b, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(finance).post("/settlement/cycle/start/", {"month": "2026-03"})
    run = CycleRun.objects.get()
    client = client_for(clerk_b)
    runs = client.get("/settlement/cycle/").content.decode()
    assert 'id="start-run"' not in runs and 'id="start-adjustment"' not in runs
    page = client.get(f"/settlement/cycle/runs/{run.pk}/").content.decode()
    assert "320903" in page and "320902" not in page
    assert (
        "fen=150004" not in page
        and "fen=150004"
        in client_for(finance).get(f"/settlement/cycle/runs/{run.pk}/").content.decode()
    )  # the city's total is not a county's
    assert all(
        s["counts"] == {}
        for s in client.get(f"/settlement/cycle/runs/{run.pk}/progress/").json()["steps"]
    )
    assert client.post("/settlement/cycle/start/", {"month": "2026-04"}).status_code == 403


def test_a_closed_month_asks_for_an_adjustment_in_chinese(fake, finance, client_for):
    from funds.models import Book
    from funds.services import period_close
    from tests.actors import SETUP

    period_close(book=Book.objects.get(code="resident"), year=2026, month=3, actor=SETUP)
    response = client_for(finance).post(
        "/settlement/cycle/start/", {"month": "2026-03"}, follow=True
    )
    assert "请发起调整清算" in response.content.decode() and not CycleRun.objects.exists()


def test_a_clerk_reads_neither_the_city_shards_money_nor_another_countys_error(
    fake, finance, clerk_a, clerk_b, client_for, django_capture_on_commit_callbacks
):
    """Found in review: the city shard's counts (every county's money) and the run's error
    (which may name another county's balance) reached a county clerk."""
    fake_steps.BREAK.add("320902")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(finance).post("/settlement/cycle/start/", {"month": "2026-03"})
    run = CycleRun.objects.get()
    assert run.status == CycleStatus.FAILED and "320902" in run.error
    for clerk in (clerk_a, clerk_b):
        page = client_for(clerk).get(f"/settlement/cycle/runs/{run.pk}/").content.decode()
        progress = client_for(clerk).get(f"/settlement/cycle/runs/{run.pk}/progress/").json()
        assert (
            run.error not in page
            and progress["error"] == "本月清算已暂停，等待市级经办机构处理后续跑"
        )
    assert (
        run.error in client_for(finance).get(f"/settlement/cycle/runs/{run.pk}/").content.decode()
    )
    fake_steps.BREAK.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(finance).post(f"/settlement/cycle/runs/{run.pk}/resume/")
    page = client_for(clerk_b).get(f"/settlement/cycle/runs/{run.pk}/").content.decode()
    city = client_for(finance).get(f"/settlement/cycle/runs/{run.pk}/").content.decode()
    assert (
        "fen=150004" in city and "fen=150004" not in page
    )  # the city shard, listed without counts
