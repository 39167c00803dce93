"""In the browser: finance starts a month (confirming), and a running run's page follows
its shards to the end by itself — the bar moves, the page is never reloaded."""

from __future__ import annotations

from typing import Any

import pytest

from pooling.kernel.permissions import CYCLE_JOB
from settlement.cycle import runner
from settlement.models import CycleRun, CycleStatus
from tests.browser import login, shot
from tests.settlement.cycle.runner_world import FAKE_STEPS, MARCH, world

pytestmark = pytest.mark.browser


def test_the_run_page_follows_a_run_live_and_a_start_asks_first(
    browser_page, live_server, settings, regions, finance
):
    settings.POOLING_CYCLE_STEPS = FAKE_STEPS
    world()
    run = runner.run_start(
        month=MARCH, actor=CYCLE_JOB, dispatch=runner.no_dispatch
    )  # planned, nothing run
    page = browser_page
    login(page, live_server.url, finance.username)
    page.goto(f"{live_server.url}/settlement/cycle/runs/{run.pk}/")
    assert page.locator("#run-percent").inner_text() == "0%"
    assert page.locator("#run-status").inner_text() == "执行中"
    page.evaluate("window.stillTheSamePage = true")
    runner.run_to_end(run.pk)  # as workers would, while the page is open
    page.wait_for_function("document.getElementById('run-percent').textContent === '100%'")
    assert page.locator("#run-status").inner_text() == "已完成"
    assert (
        page.locator("#step-gather .step-shards")
        .inner_text()
        .startswith(str(CycleRun.objects.get(pk=run.pk).steps.get(name="gather").shards.count()))
    )
    page.wait_for_selector("#resume-run", state="detached")  # nothing left to resume
    assert (
        "待执行" not in page.locator("#steps").inner_text()
    )  # the shards' rows show where they ended
    assert page.evaluate("window.stillTheSamePage") is True
    shot(page, "cycle-run")

    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    page.goto(f"{live_server.url}/settlement/cycle/")
    page.fill("#start-run input[name=month]", "2026-04")
    page.click("#start-run button")
    page.wait_for_url("**/settlement/cycle/runs/*/")
    assert asked and "确认发起" in asked[0]
    april = CycleRun.objects.get(month="2026-04-01")
    assert april.status == CycleStatus.DONE and april.started_by == finance
    assert "已完成" in page.locator("#run-status").inner_text()
