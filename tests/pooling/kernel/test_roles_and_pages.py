from __future__ import annotations

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry

from pooling.kernel.audit import system_job
from pooling.kernel.permissions import SUSPENSIONS_JOB
from pooling.models import Region

pytestmark = pytest.mark.django_db


def test_it_derives_admin_permissions_from_the_capability_table(
    clerk_a, finance, auditor, bureau_admin
):
    assert clerk_a.has_perm("pooling.view_region")
    assert not clerk_a.has_perm("pooling.change_region")
    assert not clerk_a.has_perm("pooling.view_user")  # staff accounts are private
    assert not clerk_a.has_perm("funds.view_account")  # a county reads no fund book ("fund.view")
    assert finance.has_perm("funds.change_interestrate")  # saved through interest_rate_set
    # Policy and templates change only through their services: nobody writes them in the admin.
    assert not bureau_admin.has_perm("pooling.change_policyversion")
    assert not bureau_admin.has_perm("providers.change_agreementtemplate")
    assert auditor.has_perm("pooling.view_user") and not auditor.has_perm("pooling.change_region")
    # Nobody but a superuser deletes.
    assert not any(
        u.has_perm("pooling.delete_region") for u in (clerk_a, finance, auditor, bureau_admin)
    )


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_it_tells_a_wrong_password_in_chinese(client, clerk_a):
    response = client.post("/accounts/login/", {"username": "clerk_a", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_it_serves_friendly_chinese_error_pages(client_for, clerk_a):
    client = client_for(clerk_a)
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "页面不存在" in missing.content.decode()
    denied = client.get("/policy/audit/")
    assert denied.status_code == 403 and "您的角色无权执行此操作" in denied.content.decode()


def test_it_answers_the_api_in_json_with_english_too(client_for, auditor):
    response = client_for(auditor).post("/api/v1/regions/", {})
    assert response.status_code == 403
    body = response.json()
    assert body["detail_en"] and body["detail_zh"] == "您的角色无权执行此操作"


def test_it_switches_the_ui_to_english(client_for, clerk_a):
    client = client_for(clerk_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert "Handling" in body  # 经办管理 in English
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "经办管理" in client.get("/").content.decode()


def test_it_keeps_the_auditor_from_posting_anywhere(client_for, auditor):
    response = client_for(auditor).post("/admin/pooling/region/320902/change/", {"name": "改名"})
    assert response.status_code == 403
    assert Region.objects.get(code="320902").name == "亭湖区"


def test_it_audits_who_changed_what(client_for, superuser):
    client = client_for(superuser)
    region = Region.objects.get(code="320902")
    data = {
        f: getattr(region, f)
        for f in ("code", "name", "level", "kind", "agency_name", "sort_order")
    }
    data.update(name="亭湖区（测试）", is_active="on", parent="320900")
    response = client.post("/admin/pooling/region/320902/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = LogEntry.objects.get_for_object(region).latest("timestamp")
    assert entry.actor == superuser
    assert entry.changes_dict["name"] == ["亭湖区", "亭湖区（测试）"]


def test_it_shows_the_audit_log_to_the_auditor_with_who_did_what(client_for, auditor, bureau_admin):
    region = Region.objects.get(code="320902")
    region.name = "亭湖区（更名）"
    with set_actor(bureau_admin):
        region.save()
    region.agency_name = "亭湖区医疗保障服务中心（定时任务）"
    with system_job(SUSPENSIONS_JOB):  # a scheduled job has no user: the entry names the job
        region.save()
    body = client_for(auditor).get("/policy/audit/?model=region").content.decode()
    assert "亭湖区（更名）" in body and str(bureau_admin) in body
    assert str(SUSPENSIONS_JOB.label) in body
