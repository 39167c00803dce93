"""Every URL the project routes, requested by a county clerk, never shows or changes
another county's rows; the auditor changes nothing anywhere.

Adding an unscoped view, or a ScopedModel without a factory, makes this fail.
"""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import include, path

from pooling.kernel.scoping import scoped_models, unrestricted
from tests.scoping_matrix import concrete_urls, load_factories, make_rows, run_matrix

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(county_a, county_b):
    factories = load_factories()
    make_rows(county_a, factories, "甲县")
    return make_rows(county_b, factories, "乙县")


def test_it_has_a_factory_for_every_scoped_model():
    missing = [m._meta.label for m in scoped_models() if m not in load_factories()]
    assert not missing, f"这些 ScopedModel 缺少 tests/<app>/factories.py 中的工厂: {missing}"


def test_it_keeps_every_url_scoped_for_a_county_clerk(plan, clerk_a, client_for):
    findings = run_matrix(client_for(clerk_a), plan, b_code="320903")
    assert not findings, "\n".join(map(str, findings))


def test_it_lets_the_auditor_change_nothing(plan, auditor, client_for):
    findings = run_matrix(client_for(auditor), plan, b_code="320903", check_reads=False)
    assert not findings, "\n".join(map(str, findings))


def leaky_view(request):
    with unrestricted():
        rows = [
            str(obj.__dict__) for model in scoped_models() for obj in model._default_manager.all()
        ]
    return HttpResponse("\n".join(rows))


urlpatterns = [path("leak/", leaky_view), path("", include("pooling.urls"))]


@override_settings(ROOT_URLCONF=__name__)
def test_it_catches_a_view_that_forgets_the_scope(plan, clerk_a, client_for):
    assert scoped_models(), "需要至少一个 ScopedModel 才能证明矩阵有效"
    # The enumeration finds the new URL, and the checks flag what it shows.
    assert "leak/" in set(concrete_urls(plan))
    findings = run_matrix(client_for(clerk_a), plan, b_code="320903", urls=["leak/"])
    assert any(f.url == "leak/" and "泄露" in f.problem for f in findings)
