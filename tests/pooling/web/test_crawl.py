"""A crawl of the demo city as each demo account: every page its navigation links to, the
pages those link to and one level further (a county clerk's 年终决算与计息 is navigation →
基金管理 → a book → year end) answer without a 500 and without Django's debug page.

It runs with DEBUG on, as `make run` does, so a debug page would show if one slipped out.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

from pooling.kernel.demo_city import demo_staff
from pooling.models import User
from pooling.web.navigation import navigation

pytestmark = pytest.mark.django_db

DEPTH = 3  # the navigation's page, what it links to, and what those link to
PER_ROUTE = 2  # pages of one kind (one URL pattern) visited per account
HREF = re.compile(r'href="([^"]+)"')
# Leaving the session or the language is not a page; static files are not pages either.
SKIPPED = ("/accounts/logout/", "/i18n/", "/static/", "/media/", "/admin/logout/")
DEBUG_MARKERS = (
    "<code>DEBUG = True</code>",
    "Using the URLconf defined in",
    "Traceback (most recent call last)",
    'id="traceback"',
    "Request Method:",
)


def links(body: str) -> list[str]:
    found = []
    for raw in HREF.findall(body):
        url, _fragment = urldefrag(html.unescape(raw))
        parts = urlsplit(url)
        if (
            url.startswith("/")
            and not url.startswith("//")
            and not parts.netloc
            and not url.startswith(SKIPPED)
        ):
            found.append(url)
    return found


def problem(response) -> str | None:
    if response.status_code >= 500:
        return f"{response.status_code}"
    if "html" in response.get("Content-Type", ""):
        body = response.content.decode(errors="replace")
        for marker in DEBUG_MARKERS:
            if marker in body:
                return f"debug page ({marker})"
    return None


def route(url: str) -> str:
    """The URL's pattern and query keys: /people/12/ and /people/13/?page=2 are one page kind."""
    parts = urlsplit(url)
    try:
        pattern = resolve(parts.path).route
    except Resolver404:
        pattern = parts.path
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return f"{pattern}?{'&'.join(keys)}"


def crawl(client: Client, start: list[str]) -> tuple[list[str], int]:
    """Visit the navigation's pages and follow links two levels down (nav → list → detail
    → its actions), at most PER_ROUTE pages of each kind; return findings and pages seen."""
    findings: list[str] = []
    seen: set[str] = set()
    kinds: Counter[str] = Counter()
    level = start
    for depth in range(DEPTH):
        following = []
        for url in level:
            if url in seen or kinds[route(url)] >= PER_ROUTE:
                continue
            seen.add(url)
            kinds[route(url)] += 1
            response = client.get(url)
            if found := problem(response):
                findings.append(f"{url}: {found}")
            if depth < DEPTH - 1 and "html" in response.get("Content-Type", ""):
                following += links(response.content.decode(errors="replace"))
        level = following
    return findings, len(seen)


@pytest.fixture
def demo_city(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_it_crawls_every_roles_pages_without_a_500_or_a_debug_page(demo_city, settings):
    settings.DEBUG = True  # as the demo runs: a debug page would show
    findings, visited = [], 0
    for spec in demo_staff():
        user = User.objects.get(username=spec.username)
        client = Client(raise_request_exception=False)
        client.force_login(user)
        start = [item["url"] for item in navigation(user)]
        found, seen = crawl(client, start)
        findings += [f"{spec.username} {f}" for f in found]
        visited += seen
    assert visited > 200  # the crawl really went down the levels
    assert findings == []
