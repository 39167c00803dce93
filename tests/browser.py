"""Headless Debian Chromium driven by Playwright, for tests that use the UI as a person would.

Usage in a test module:
    from tests.browser import login, shot   (fixtures come from the plugin in conftest)
    @pytest.mark.browser
    def test_it_...(browser_page, live_server, clerk_a):
        page = browser_page
        login(page, live_server.url, clerk_a.username)
        ...
        shot(page, "enrollment-register")   # saved under test-output/screenshots/
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
OUTPUT = Path(__file__).resolve().parent.parent / "test-output" / "screenshots"

# Playwright's sync API keeps an event loop on this thread; the ORM calls made by
# fixtures after it starts are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def _browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("缺少 /usr/bin/chromium：请运行 make test（会自动安装）/ chromium missing")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_browser, transactional_db) -> Iterator[object]:
    context = _browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def login(page, base_url: str, username: str, password: str = "test-pass-2026") -> None:  # noqa: S107
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def shot(page, name: str) -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
