"""The engine of the scoping matrix: every routed URL × method, as a clerk of county A,
against rows of county B. Used by tests/pooling/test_scoping_matrix.py.

How it works:
1. Each app's tests/<app>/factories.py offers SCOPED_FACTORIES = {Model: make(county, marker)}.
   Every ScopedModel must have one; a row is made in county B with a unique marker.
2. Every URL pattern the project routes (pages, API, admin, exports) is expanded
   with Django's own regex normaliser; parameters are filled with B's keys.
3. Each URL is requested with GET, POST, PUT, PATCH and DELETE. A body that shows a
   B marker is a leak; a B row that changed, appeared or vanished is a write leak; a
   500 is a bug.
"""

from __future__ import annotations

import importlib
import io
import itertools
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils.regex_helper import normalize

from pooling.kernel.scoping import Scope, scope_q, scoped_models, unrestricted

# Signing out or switching language ends the session under test: not data.
SKIPPED_PREFIXES = ("accounts/logout/", "i18n/", "static/", "media/")
MAX_COMBINATIONS = 40


@dataclass
class Finding:
    method: str
    url: str
    problem: str

    def __str__(self) -> str:
        return f"{self.method.upper()} /{self.url}: {self.problem}"


@dataclass
class Plan:
    rows: dict[type[models.Model], list[models.Model]] = field(default_factory=dict)
    markers: dict[str, type[models.Model]] = field(default_factory=dict)


def load_factories() -> dict[type[models.Model], Any]:
    found: dict[type[models.Model], Any] = {}
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"tests.{config.label}.factories")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(f"tests.{config.label}"):
                continue
            raise
        found.update(getattr(module, "SCOPED_FACTORIES", {}))
    return found


def make_rows(county: Any, factories: dict[type[models.Model], Any], tag: str) -> Plan:
    plan = Plan()
    with unrestricted():
        for model, make in factories.items():
            marker = f"{tag}{model._meta.label_lower.replace('.', '')}标记"
            obj = make(county, marker)
            plan.rows.setdefault(model, []).append(obj)
            plan.markers[marker] = model
    return plan


def _strip(regex: str) -> str:
    regex = regex[1:] if regex.startswith("^") else regex
    for end in ("\\Z", "$"):
        if regex.endswith(end):
            regex = regex[: -len(end)]
    return regex


def url_templates(
    resolver: URLResolver | None = None, prefix: str = ""
) -> Iterator[tuple[str, list[str]]]:
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        regex = prefix + _strip(entry.pattern.regex.pattern)
        if isinstance(entry, URLResolver):
            yield from url_templates(entry, regex)
        elif isinstance(entry, URLPattern):
            for fmt, params in normalize(regex):
                yield fmt, list(params)


def snapshot(county_code: str) -> dict[str, list[dict[str, Any]]]:
    scope = Scope(all_regions=False, region_codes=frozenset({county_code}))
    with unrestricted():
        return {
            m._meta.label: sorted(
                (model_to_dict(o) for o in m._default_manager.filter(scope_q(m, scope))),
                key=lambda d: str(d.get("id", d)),
            )
            for m in scoped_models()
        }


def _body(response: Any) -> str:
    raw = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if raw[:2] == b"PK":  # XLSX and other zipped exports
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as book:
                raw = b"".join(book.read(n) for n in book.namelist() if n.endswith(".xml"))
        except zipfile.BadZipFile:
            pass
    return raw.decode("utf-8", errors="replace")


def _view_model(url: str) -> type[models.Model] | None:
    func = resolve("/" + url).func
    admin = getattr(func, "model_admin", None)
    if admin is not None:
        return admin.model
    cls = getattr(func, "cls", None) or getattr(func, "view_class", None)
    queryset = getattr(cls, "queryset", None)
    if queryset is not None:
        return queryset.model
    serializer = getattr(cls, "serializer_class", None)
    meta = getattr(serializer, "Meta", None)
    return getattr(meta, "model", None) or getattr(cls, "model", None)


def _methods(url: str) -> tuple[str, ...]:
    """Every URL gets GET and POST. PUT, PATCH and DELETE reach only DRF views that
    declare them: a plain Django view treats them like GET, which GET already covers."""
    func = resolve("/" + url).func
    actions = getattr(func, "actions", None)  # a DRF viewset bound to this route
    if actions is not None:
        return ("get", "post", *[m for m in ("put", "patch", "delete") if m in actions])
    cls = getattr(func, "cls", None)
    if cls is not None:  # a DRF APIView
        return ("get", "post", *[m for m in ("put", "patch", "delete") if hasattr(cls, m)])
    return ("get", "post")


def _b_keys(plan: Plan, model: type[models.Model] | None) -> list[str]:
    """B's primary keys and unique text keys (ID numbers, codes), for one model or all."""
    values: list[str] = []
    for row_model, objs in plan.rows.items():
        if model is not None and row_model is not model:
            continue
        for obj in objs:
            values.append(str(obj.pk))
            # Ids that carry a partition's month (settlement's setl_id / mdtrt_id) are what URLs hold.
            values.extend(
                str(getattr(obj, name)) for name in ("setl_id", "mdtrt_id") if hasattr(obj, name)
            )
            for f in obj._meta.concrete_fields:
                if f.unique and isinstance(f, models.CharField):
                    values.append(str(getattr(obj, f.attname)))
    return list(dict.fromkeys(v for v in values if v))


def _param_values(name: str) -> list[str] | None:
    """Values for parameters that name apps or models (the admin's), not rows."""
    if name == "app_label":
        return [c.label for c in apps.get_app_configs()]
    if name == "model_name":
        return [m._meta.model_name for m in apps.get_models() if m._meta.model_name]
    if name == "url":  # the admin's catch-all redirect: no row behind it
        return ["x"]
    return None


def _fill(fmt: str, params: list[str], row_values: list[str]) -> Iterator[str]:
    pools = [_param_values(p) or row_values for p in params]
    for combo in itertools.islice(itertools.product(*pools), 5000):
        url = fmt % dict(zip(params, combo, strict=True))
        try:
            resolve("/" + url)
        except Resolver404:
            continue
        yield url


def concrete_urls(plan: Plan) -> Iterator[str]:
    every_key = _b_keys(plan, None) + ["1"]
    seen: set[str] = set()
    for fmt, params in url_templates():
        if fmt.startswith(SKIPPED_PREFIXES):
            continue
        taken = 0
        for url in (
            _fill(fmt, params, ["1"]) if not params else _urls_for(fmt, params, plan, every_key)
        ):
            if url in seen:
                continue
            seen.add(url)
            yield url
            taken += 1
            if taken >= MAX_COMBINATIONS:
                break


def _urls_for(fmt: str, params: list[str], plan: Plan, every_key: list[str]) -> Iterator[str]:
    # Probe the view once to learn its model: a scoped model gets B's own keys, a
    # city-wide model (regions, users) one sample, an unknown view every B key.
    probe = next(_fill(fmt, params, every_key), None)
    if probe is None:
        return
    model = _view_model(probe)
    if model is None:
        yield from _fill(fmt, params, every_key)
    elif model in plan.rows:
        yield from _fill(fmt, params, _b_keys(plan, model))
    else:
        yield probe


def _payload(url: str, plan: Plan) -> dict[str, Any]:
    model = _view_model(url) if url else None
    objs = plan.rows.get(model) if model else None
    if not objs:
        return {}
    data: dict[str, Any] = {}
    for key, value in model_to_dict(objs[0]).items():
        if isinstance(value, str):
            data[key] = value + "改"  # a changed value: if it lands, the snapshot shows it
        elif isinstance(value, bool | int):
            data[key] = value
        elif isinstance(value, Decimal | date):
            data[key] = str(value)
    return data


def run_matrix(
    client: Client,
    plan: Plan,
    *,
    b_code: str,
    check_reads: bool = True,
    urls: Iterable[str] | None = None,
) -> list[Finding]:
    """Request every URL (or the given ones). Without check_reads only the writing
    methods are sent: the actor may read everything but change nothing."""
    findings: list[Finding] = []
    before = snapshot(b_code)
    for url in concrete_urls(plan) if urls is None else urls:
        for method in _methods(url):
            if method == "get" and not check_reads:
                continue
            if method != "get" and not _mutating_allowed(url):
                continue
            kwargs: dict[str, Any] = {}
            if method in ("put", "patch"):
                kwargs = {"data": _payload(url, plan), "content_type": "application/json"}
            elif method == "post":
                kwargs = {"data": _payload(url, plan)}
            response = getattr(client, method)("/" + url, **kwargs)
            if response.status_code >= 500:
                findings.append(Finding(method, url, f"服务器错误 {response.status_code}"))
                continue
            if check_reads:
                body = _body(response)
                leaked = [m for m in plan.markers if m in body]
                if leaked:
                    findings.append(Finding(method, url, f"泄露了其他经办单位的数据: {leaked[:3]}"))
    after = snapshot(b_code)
    for label, rows in before.items():
        if rows != after.get(label):
            findings.append(
                Finding(
                    "*",
                    "",
                    f"{label} 中其他经办单位的数据被修改（{len(rows)} → {len(after.get(label, []))} 行）",
                )
            )
    return findings


def _mutating_allowed(url: str) -> bool:
    # The schema and docs views are read-only by construction.
    return not url.startswith(("api/schema/", "api/docs/"))
