"""The demo runs with DEBUG on, yet a visitor meets the product's own Chinese error pages,
never Django's debug pages (which show settings, code and the URL map)."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
DEBUG_PAGE = ("<code>DEBUG = True</code>", "Traceback")


@pytest.fixture
def demo_mode(settings):
    settings.DEBUG = True


def test_it_shows_the_product_404_for_an_unknown_address_in_the_demo(
    demo_mode, client_for, clerk_a
):
    response = client_for(clerk_a).get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404 and "页面不存在" in body and "返回首页" in body
    assert not any(marker in body for marker in DEBUG_PAGE)


def test_it_shows_the_product_404_for_a_record_out_of_reach_in_the_demo(
    demo_mode, client_for, clerk_a
):
    response = client_for(clerk_a).get("/enrollment/people/987654321/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


@pytest.mark.urls("tests.pooling.web.boom_urls")
def test_it_shows_the_product_500_for_a_bug_in_the_demo(demo_mode, clerk_a, caplog):
    client = Client(raise_request_exception=False)
    client.force_login(clerk_a)
    response = client.get("/boom/")
    body = response.content.decode()
    assert (
        response.status_code == 500
        and "系统暂时出错" in body
        and "a bug nobody foresaw" not in body
    )
    assert (
        "a bug nobody foresaw" in caplog.text
    )  # the developer still reads the traceback in the log


def test_it_answers_the_api_in_json_in_the_demo(demo_mode, client_for, clerk_a):
    response = client_for(clerk_a).get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404 and response.json()["detail_en"] == "Not found"


def test_a_developer_may_ask_for_djangos_debug_pages(demo_mode, settings, client_for, clerk_a):
    settings.PRODUCT_ERROR_PAGES = False
    response = client_for(clerk_a).get("/no-such-page/")
    assert response.status_code == 404 and DEBUG_PAGE[0] in response.content.decode()
