"""The admin's Export button writes through the one writer, with Chinese headers, yuan and
the reader's county scope."""

from __future__ import annotations

import csv
import io
from urllib.parse import unquote

from django.contrib import admin
from import_export.admin import ExportMixin

from pooling.models import User
from pooling.web.admin_exports import WriterExportMixin
from tests.enrollment.factories import person


def test_it_writes_every_admin_export_through_the_one_writer():
    exporting = [a for a in admin.site._registry.values() if isinstance(a, ExportMixin)]
    assert exporting and all(isinstance(a, WriterExportMixin) for a in exporting), [
        type(a).__name__ for a in exporting if not isinstance(a, WriterExportMixin)
    ]


def test_it_exports_the_changelist_in_chinese_scoped_to_the_reader(
    county_a, county_b, clerk_a, client_for
):
    clerk_a.is_staff = True
    clerk_a.save()
    person(county_a, "本县人员")
    person(county_b, "外县人员")
    response = client_for(clerk_a).post("/admin/enrollment/person/export/", {"format": "0"})
    assert response.status_code == 200
    assert unquote(response["Content-Disposition"]).startswith(
        "attachment; filename*=UTF-8''参保人员-"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["ID", "经办单位", "身份证号码", "姓名"]
    assert [r[3] for r in rows[1:]] == ["本县人员"] and rows[1][1] == "亭湖区（320902）"


def test_it_refuses_the_export_to_staff_who_may_not_read_the_list(county_a, client_for):
    no_role = User.objects.create_user(
        "helpdesk", is_staff=True
    )  # staff, but no role: no model rights
    assert (
        client_for(no_role).post("/admin/enrollment/person/export/", {"format": "0"}).status_code
        == 403
    )
