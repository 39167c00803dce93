"""The interface's own request path (settlement/hsa/wsgi.py), driven through `pooling.wsgi.application`
as gunicorn calls it: a whole visit settles, exactly once, errors stay in the national form, and the
pages' middleware (session, CSRF, clickjacking header…) runs for pages only."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core import signals
from django.db import close_old_connections

from settlement.models import Accumulator, Message, Settlement
from tests.settlement.hsa_client import HsaClient


class _Answer:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status_code = int(status.split()[0])
        self.headers = {k.lower(): v for k, v in headers}
        self.content = body

    def __getitem__(self, name: str) -> str:
        return self.headers[name.lower()]


class WsgiClient:
    """What HsaClient needs of Django's test client, but through the production WSGI callable."""

    def request(
        self, method: str, path: str, body: bytes = b"", host: str = "127.0.0.1", **headers: str
    ) -> _Answer:
        from pooling.wsgi import application

        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": host,
            "SERVER_PORT": "80",
            "HTTP_HOST": host,
            "REMOTE_ADDR": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": io.StringIO(),
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            **headers,
        }
        seen: dict[str, Any] = {}

        def start_response(status: str, response_headers: list[tuple[str, str]], *_: Any) -> None:
            seen["status"], seen["headers"] = status, response_headers

        result = application(environ, start_response)
        try:
            body_out = b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
        return _Answer(seen["status"], seen["headers"], body_out)

    def post(
        self, path: str, data: str, content_type: str, HTTP_AUTHORIZATION: str = ""
    ) -> _Answer:
        return self.request(
            "POST",
            path,
            data.encode(),
            CONTENT_TYPE=content_type,
            HTTP_AUTHORIZATION=HTTP_AUTHORIZATION,
        )


@pytest.fixture
def wsgi() -> Iterator[WsgiClient]:
    # As Django's test client does: the test's transaction must survive the request signals.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WsgiClient()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def machine(hospital, clerk_a, demo_policy, people, wsgi) -> HsaClient:
    return HsaClient.signed_in(wsgi, hospital, issued_by=clerk_a)


def test_it_settles_a_visit_exactly_once_through_the_slim_path(machine, people, wsgi):
    person = people.employee
    mdtrt_id = machine.register(person)
    upload = machine.fees(mdtrt_id, person, [("001102000000100", "1", "20.00")])
    assert upload["infcode"] == 0, upload
    body = machine.envelope("2207", machine.settle_payload(mdtrt_id, person, "20.00", acct=True))
    first = machine.post("2207", {}, body=body)
    again = machine.post("2207", {}, body=body)
    assert first["infcode"] == 0, first
    assert again["output"] == first["output"]
    # 20.00 all within the 600.00 deductible: the fund pays nothing, the account all of it.
    info = first["output"]["setlinfo"]
    assert info["act_pay_dedc"] == Decimal("20.00") and info["hifp_pay"] == Decimal("0.00")
    assert info["acct_pay"] == Decimal("20.00") and info["balc"] == Decimal("480.00")
    assert Settlement.objects.count() == 1
    assert Message.objects.filter(msgid=body["msgid"]).count() == 1
    acc = Accumulator.objects.get(person=person, scheme="employee")
    assert acc.deductible_paid == {"outpatient": 2000} and acc.settlements == 1


def test_it_answers_refusals_in_the_national_form(machine, wsgi):
    wrong_key = wsgi.post(
        "/api/hsa/", json.dumps(machine.envelope("1101", {})), "application/json", "Bearer K1.x"
    )
    assert wrong_key.status_code == 401
    assert json.loads(wrong_key.content)["infcode"] == -1
    unsigned = machine.post(
        "2201", {"data": {}}, body={**machine.envelope("2201", {}), "sign_no": "X"}
    )
    assert unsigned["infcode"] == -1 and unsigned["err_field"] == "sign_no"
    read = wsgi.request("GET", "/api/hsa/")
    assert read.status_code == 405 and json.loads(read.content)["infcode"] == -1


def test_the_pages_middleware_runs_for_pages_and_not_for_machine_messages(machine, wsgi):
    message = wsgi.post(
        "/api/hsa/",
        json.dumps(machine.envelope("9999", {})),
        "application/json",
        f"Bearer {machine.token}",
    )
    assert json.loads(message.content)["err_field"] == "infno"
    assert "x-frame-options" not in message.headers and "set-cookie" not in message.headers
    page = wsgi.request("GET", "/accounts/login/")
    assert page.status_code == 200
    assert page["X-Frame-Options"] == "DENY" and "csrftoken" in page["Set-Cookie"]


def test_only_the_interface_resolves_on_the_slim_path_and_hosts_are_still_checked(db, wsgi):
    from settlement.hsa.view import BAD_REQUEST, NO_SUCH_PATH

    elsewhere = wsgi.request("POST", "/api/hsa/2207/extra")
    assert elsewhere.status_code == 404
    assert json.loads(elsewhere.content)["err_msg"] == str(NO_SUCH_PATH)
    foreign = wsgi.request("POST", "/api/hsa/", host="evil.example")
    assert foreign.status_code == 400
    assert json.loads(foreign.content)["err_msg"] == str(BAD_REQUEST)


def test_a_machine_message_is_nobodys_scope_until_the_dispatcher_takes_the_providers(
    machine, wsgi, monkeypatch
):
    """Without ScopeMiddleware the default would be the system's (every county): the slim path
    binds nobody's scope, as an anonymous request has on the full stack."""
    from pooling.kernel.scoping import current_scope
    from settlement.hsa import view

    seen: list[str] = []
    original = view.handle

    def handle(*args: Any, **kwargs: Any) -> Any:
        seen.append(current_scope().label)
        return original(*args, **kwargs)

    monkeypatch.setattr(view, "handle", handle)
    wsgi.post(
        "/api/hsa/",
        json.dumps(machine.envelope("9999", {})),
        "application/json",
        f"Bearer {machine.token}",
    )
    assert seen == ["anonymous"]


@pytest.mark.parametrize("path", ["/api/hsa", "/api/hsa/"])
def test_the_endpoint_answers_with_or_without_its_trailing_slash(
    machine, people, wsgi, client, path
):
    """A provider's system configured with `/api/hsa` gets the interface's answer, not the site's
    slash redirect (a POST redirected is a POST lost): through gunicorn's path and the full stack."""
    from tests.settlement.hsa_client import psn

    data = {"data": {"psn_no": psn(people.employee)}}
    for transport in (wsgi, client):
        answer = transport.post(
            path,
            json.dumps(machine.envelope("1101", data)),
            "application/json",
            HTTP_AUTHORIZATION=f"Bearer {machine.token}",
        )
        assert answer.status_code == 200, (transport, answer.status_code, answer.content[:200])
        assert json.loads(answer.content)["infcode"] == 0
